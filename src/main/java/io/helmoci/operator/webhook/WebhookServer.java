package io.helmoci.operator.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiver;
import io.helmoci.operator.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The registry webhook listener, on its own port ({@code helmoci.webhook.port}), never the artifact
 * server's: {@code POST /hook/<sha256>}. Answers 404 for a path no Ready HelmOciReceiver has, 405 for
 * another method, 413 for a body over {@code helmoci.webhook.max-body-bytes}, 401 when the sender's
 * authentication fails, 400 for a body that is not the sender's event, else 202 and the matching
 * charts are asked to check (coalesced, see {@link CheckCoalescer}). Runs on every replica.
 */
@ApplicationScoped
public class WebhookServer {
    private static final Logger LOG = Logger.getLogger(WebhookServer.class);
    static final String REQUESTS = "helmoci.webhook.requests";
    /**
     * How long an announcement naming a digest is a replay: the same registry, repository, tag and digest again
     * shows nothing new (retried deliveries, floods of one captured delivery). Without a digest (Docker Hub, Quay)
     * the same announcement may be a new push of the same tag, so it is only dropped within the window.
     */
    static final Duration REPLAY_MEMORY = Duration.ofMinutes(10);

    /** A run covers one receiver's charts of one repository. */
    private record Scope(String namespace, String receiver, String registry, String repository) {}

    private final OperatorConfig.Webhook settings;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final ReceiverDirectory directory;
    private final ChartTrigger trigger;
    private final ScheduledExecutorService timer;
    private final ExecutorService runner;
    private final CheckCoalescer<Scope> coalescer;
    private HttpServer server;

    public WebhookServer(OperatorConfig config, Vertx vertx, KubernetesClient client, MeterRegistry meters) {
        this.settings = config.webhook();
        this.vertx = vertx;
        this.meters = meters;
        this.directory = new ReceiverDirectory(client, Clock.systemUTC());
        this.trigger = new ChartTrigger(client, Clock.systemUTC());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("helmoci-webhook-windows"));
        this.runner = Executors.newFixedThreadPool(2, daemon("helmoci-webhook-trigger"));
        long settleMillis = settings.settleDelay().toMillis();
        // Registries announce a push as they store it, a moment before the tag is readable (distribution
        // notified before its answer to the tagged PUT completed): each run waits the settle delay first.
        Executor settled = settleMillis <= 0
                ? runner
                : command -> timer.schedule(() -> runner.execute(command), settleMillis, TimeUnit.MILLISECONDS);
        this.coalescer = new CheckCoalescer<>(settings.coalesceWindow(), timer, settled);
    }

    void start(@Observes StartupEvent started) {
        if (!settings.enabled()) {
            LOG.info("The registry webhook listener is disabled (helmoci.webhook.enabled=false)");
            return;
        }
        directory.start();
        Router router = Router.router(vertx);
        router.route(Constants.WEBHOOK_PATH_PREFIX + "*")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()));
        router.route(Constants.WEBHOOK_PATH_PREFIX + "*").blockingHandler(this::handle, false);
        router.route().handler(ctx -> answer(ctx, 404, "unknown", "no such webhook"));
        server = vertx.createHttpServer();
        server.requestHandler(router)
                .listen(settings.port(), settings.host())
                .toCompletionStage()
                .toCompletableFuture()
                .join();
        LOG.infof("Receiving registry webhooks on %s:%d", settings.host(), server.actualPort());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (server != null) {
            server.close();
        }
        directory.close();
        timer.shutdownNow();
        runner.shutdown();
    }

    private void handle(RoutingContext ctx) {
        var found = directory.find(ctx.normalizedPath());
        if (found.isEmpty()) {
            answer(ctx, 404, "unknown", "no such webhook");
            return;
        }
        HelmOciReceiver receiver = found.get().receiver();
        String type = receiver.getSpec().getType();
        if (ctx.request().method() != HttpMethod.POST) {
            ctx.response().putHeader("Allow", "POST");
            answer(ctx, 405, type, "only POST");
            return;
        }
        Sender sender;
        try {
            sender = Sender.of(type);
        } catch (IllegalArgumentException e) {
            answer(ctx, 404, "unknown", "no such webhook");
            return;
        }
        Map<String, String> headers = new HashMap<>();
        ctx.request().headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        byte[] body =
                ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        WebhookRequest request = new WebhookRequest(headers, body);
        if (!sender.authenticated(request, found.get().token())) {
            answer(ctx, 401, type, "the request does not prove the receiver's token; see the README for " + type);
            return;
        }
        List<PushEvent> pushes;
        try {
            pushes = sender.pushes(request);
        } catch (MalformedEventException e) {
            answer(ctx, 400, type, "not a " + type + " event: " + e.getMessage());
            return;
        }
        String namespace = receiver.getMetadata().getNamespace();
        String name = receiver.getMetadata().getName();
        var selector = receiver.getSpec().getChartSelector();
        for (PushEvent push : pushes) {
            Scope scope = new Scope(namespace, name, push.registry(), push.repository());
            Duration remember = push.digest() == null ? settings.coalesceWindow() : REPLAY_MEMORY;
            coalescer.submit(scope, push.fingerprint(), remember, () -> {
                try {
                    List<String> charts = trigger.trigger(namespace, selector, push);
                    LOG.debugf(
                            "HelmOciReceiver %s/%s: %s/%s pushed; asked %s to check",
                            namespace, name, push.registry(), push.repository(), charts);
                } catch (RuntimeException e) {
                    LOG.warnf(
                            "HelmOciReceiver %s/%s: could not ask the charts of %s/%s to check: %s",
                            namespace, name, push.registry(), push.repository(), e.getMessage());
                }
            });
        }
        answer(ctx, 202, type, "accepted " + pushes.size() + " push event(s)");
    }

    private void answer(RoutingContext ctx, int status, String type, String message) {
        meters.counter(REQUESTS, "type", type, "code", Integer.toString(status)).increment();
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(message + "\n");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
