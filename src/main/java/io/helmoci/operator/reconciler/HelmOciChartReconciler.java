package io.helmoci.operator.reconciler;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

@ControllerConfiguration(name = Constants.FIELD_MANAGER, fieldManager = Constants.FIELD_MANAGER)
public class HelmOciChartReconciler implements Reconciler<HelmOciChart> {
    @Override
    public UpdateControl<HelmOciChart> reconcile(HelmOciChart resource, Context<HelmOciChart> context) {
        return UpdateControl.noUpdate();
    }
}
