package org.bigarrays.kvstore.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Application Default Credentials files against the fake server's token endpoint: a service
 * account (JWT signed with its key, verified by the fake) and a user refresh token. Tokens are
 * fetched once and reused; after the first refusal, requests go out with the token at once.
 */
class GcsCredentialsTest {
    @TempDir
    Path dir;
    private FakeGcsServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeGcsServer("private");
        System.setProperty("bigarrays.gcs.metadataHost", "127.0.0.1:9");
        GcsAuth.reset();
    }

    @AfterEach
    void stop() {
        server.close();
        System.clearProperty("bigarrays.gcs.credentials");
        GcsAuth.reset();
    }

    private void readsWithTokenFrom(Path credentials) {
        KeyValueStore s = KeyValueStores.open("gs://private/p?endpoint=" + server.endpoint());
        s.write("k", MemorySegment.ofArray(new byte[] {9, 8, 7}));
        server.requiredToken = "granted-" + credentials.getFileName();
        System.setProperty("bigarrays.gcs.credentials", credentials.toString());
        for (int i = 0; i < 5; i++) assertArrayEquals(new byte[] {9, 8, 7}, s.read("k").toByteArray());
        s.write("k2", MemorySegment.ofArray(new byte[] {1}));
        assertEquals(1, server.tokenRequests.get(), "the token is fetched once and cached");
        assertEquals(1, server.unauthorized.get(), "only the first request goes out anonymously");
    }

    @Test
    void serviceAccountKeyFile() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        server.serviceAccountKey = kp.getPublic();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        Path f = dir.resolve("sa.json");
        Files.writeString(f, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of(
                "type", "service_account", "client_email", "reader@project.iam.gserviceaccount.com",
                "private_key", pem, "token_uri", server.endpoint() + "/token")));
        readsWithTokenFrom(f);
    }

    @Test
    void authorizedUserRefreshToken() throws Exception {
        server.refreshToken = "refresh-123";
        Path f = dir.resolve("user.json");
        Files.writeString(f, "{\"type\":\"authorized_user\",\"client_id\":\"id\",\"client_secret\":\"s\",\"refresh_token\":\"refresh-123\","
                + "\"token_uri\":\"" + server.endpoint() + "/token\"}");
        readsWithTokenFrom(f);
    }

    @Test
    void aRejectedGrantIsAClearError() throws Exception {
        server.refreshToken = "the-right-one";
        Path f = dir.resolve("user.json");
        Files.writeString(f, "{\"type\":\"authorized_user\",\"client_id\":\"id\",\"client_secret\":\"s\",\"refresh_token\":\"wrong\","
                + "\"token_uri\":\"" + server.endpoint() + "/token\"}");
        server.requiredToken = "x";
        System.setProperty("bigarrays.gcs.credentials", f.toString());
        KeyValueStore s = KeyValueStores.open("gs://private/p?endpoint=" + server.endpoint());
        var e = assertThrows(StorageException.class, () -> s.read("k"));
        assertEquals(true, e.getMessage().contains("HTTP 400") && e.getMessage().contains("user.json"), e.getMessage());
    }
}
