package io.helmoci.engine.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The AWS SDK's HTTP client SPI over the engine's OkHttp client, so STS and ECR calls take the same
 * route as every other request: the proxy rules (HTTPS_PROXY/NO_PROXY or spec.proxySecretRef), with
 * proxy credentials sent on the CONNECT too (the JDK's URLConnection client refuses Basic proxy
 * authentication for tunnels by default). The requests are small (STS, ECR GetAuthorizationToken):
 * bodies are buffered. Closing it leaves the shared OkHttp client open.
 */
final class OkHttpSdkClient implements SdkHttpClient {
    /** Set by OkHttp itself from the body; passing the SDK's values on would duplicate them. */
    private static final Set<String> OKHTTP_MANAGED = Set.of("content-length", "transfer-encoding", "connection");

    private final OkHttpClient http;

    OkHttpSdkClient(OkHttpClient http) {
        this.http = http;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        Call call = http.newCall(toOkHttp(request));
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                Response response = call.execute();
                SdkHttpResponse.Builder head =
                        SdkHttpResponse.builder().statusCode(response.code()).statusText(response.message());
                for (String name : response.headers().names()) {
                    head.putHeader(name, response.headers(name));
                }
                InputStream body = response.body().byteStream();
                return HttpExecuteResponse.builder()
                        .response(head.build())
                        .responseBody(AbortableInputStream.create(body, call::cancel))
                        .build();
            }

            @Override
            public void abort() {
                call.cancel();
            }
        };
    }

    private static Request toOkHttp(HttpExecuteRequest execute) {
        SdkHttpRequest request = execute.httpRequest();
        Headers.Builder headers = new Headers.Builder();
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            if (OKHTTP_MANAGED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : header.getValue()) {
                headers.add(header.getKey(), value);
            }
        }
        RequestBody body = null;
        String method = request.method().name();
        if (requiresBody(method) || (execute.contentStreamProvider().isPresent() && permitsBody(method))) {
            byte[] bytes = read(execute.contentStreamProvider().orElse(null));
            String contentType = request.firstMatchingHeader("Content-Type").orElse(null);
            body = RequestBody.create(bytes, contentType == null ? null : MediaType.parse(contentType));
        }
        return new Request.Builder()
                .url(request.getUri().toString())
                .headers(headers.build())
                .method(method, body)
                .build();
    }

    private static boolean requiresBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private static boolean permitsBody(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    private static byte[] read(ContentStreamProvider content) {
        if (content == null) {
            return new byte[0];
        }
        try (InputStream in = content.newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String clientName() {
        return "OkHttp";
    }

    @Override
    public void close() {
        // the OkHttp client is shared and outlives this adapter
    }
}
