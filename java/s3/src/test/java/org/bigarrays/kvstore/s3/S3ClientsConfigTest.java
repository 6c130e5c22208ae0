package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.Map;
import java.util.Properties;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.junit.jupiter.api.Test;

/** Where the S3 endpoint comes from: URL, then system property, then env (S3-specific first). */
class S3ClientsConfigTest {
    private static S3Clients.Config config(String url, Map<String, String> env, Properties props) {
        URI u = URI.create(url);
        return S3Clients.config(u, RemoteSettings.from(u), env, props);
    }

    @Test
    void endpointFromEnvAlone() {
        assertEquals("http://127.0.0.1:9000", config("s3://b/p/", Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"), new Properties()).endpoint());
        assertEquals("http://s3only:1", config("s3://b/p/", Map.of("AWS_ENDPOINT_URL", "http://general:2", "AWS_ENDPOINT_URL_S3", "http://s3only:1"),
                new Properties()).endpoint());
    }

    @Test
    void urlParameterWinsOverSystemPropertyWinsOverEnv() {
        Properties p = new Properties();
        p.setProperty("aws.endpointUrl", "http://prop:3");
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://env:4");
        assertEquals("http://url:5", config("s3://b/p/?endpoint=http://url:5", env, p).endpoint());
        assertEquals("http://prop:3", config("s3://b/p/", env, p).endpoint());
    }

    @Test
    void noEndpointMeansAws() {
        assertNull(config("s3://b/p/", Map.of(), new Properties()).endpoint());
    }

    @Test
    void regionFromUrlParameter() {
        assertEquals("eu-west-1", config("s3://b/p/?region=eu-west-1", Map.of(), new Properties()).region());
    }

    @Test
    void malformedEndpointIsAClearError() {
        var e = assertThrows(InvalidInputException.class, () -> config("s3://b/p/", Map.of("AWS_ENDPOINT_URL", "localhost:9000"), new Properties()));
        assertEquals(true, e.getMessage().contains("localhost:9000"), e.getMessage());
    }
}
