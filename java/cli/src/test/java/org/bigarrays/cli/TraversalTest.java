package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bigarrays.BigArraysException;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Transcode;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: a scale key that points out of the layer (parent segments, absolute paths,
 * URLs of other schemes or hosts, percent-escapes, backslashes, empty segments), put in an info
 * on local disk, is rejected by create, write, cutout, transcode and info, and by the library,
 * before any I/O: exit 2 with one line naming the key, nothing new anywhere under the test's
 * temporary folder (every hostile target points into it), and no connection to a local
 * listener that stands in for both the http:// target and the S3 endpoint.
 */
class TraversalTest {
    @TempDir
    Path tmp;

    private ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private Properties saved;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        saved = (Properties) System.getProperties().clone();
        // Any S3 request (s3://victim/planted) would go to the listener, signed with dummy keys.
        System.setProperty("aws.endpointUrl", "http://127.0.0.1:" + listener.getLocalPort());
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
        System.setProperties(saved);
    }

    private List<String> hostileKeys() {
        int port = listener.getLocalPort();
        return List.of("../x", "a/../../../x", tmp.resolve("abs/path").toString(), "file://" + tmp.resolve("file-x"), "%2e%2e/x",
                "s3://victim/planted", "http://127.0.0.1:" + port + "/internal", "a\\..\\b", "a//b", "./x", "x/..", "C:x", "a?b");
    }

    private static String info(String key) {
        return "{\"type\":\"image\",\"data_type\":\"uint8\",\"num_channels\":1,\"scales\":[{\"key\":"
                + new com.fasterxml.jackson.databind.node.TextNode(key) + ",\"size\":[8,8,8],\"resolution\":[1,1,1],"
                + "\"voxel_offset\":[0,0,0],\"chunk_sizes\":[[4,4,4]],\"encoding\":\"raw\"}]}";
    }

    private Set<String> everything() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            Set<String> out = new TreeSet<>();
            s.forEach(p -> out.add(tmp.relativize(p) + (Files.isDirectory(p) ? "/" : " " + p.toFile().length())));
            return out;
        }
    }

    @Test
    void hostileScaleKeysAreRejectedBeforeAnyIo() throws Exception {
        Path layer = tmp.resolve("p1/p2/layer");
        Files.createDirectories(layer);
        Files.write(tmp.resolve("in.raw"), new byte[8 * 8 * 8]);
        String l = layer.toString();
        for (String key : hostileKeys()) {
            Files.writeString(layer.resolve("info"), info(key));
            Set<String> before = everything();
            String named = "'" + Keys.printable(key) + "'";
            List<InProcess.Run> runs = new ArrayList<>();
            runs.add(run("cutout", l, "--box", "0,0,0:8,8,8", "-o", tmp.resolve("out.npy").toString()));
            runs.add(run("write", l, "--at", "0,0,0", tmp.resolve("in.raw").toString(), "--shape", "8,8,8"));
            runs.add(run("write", l, "--at", "1,1,1", tmp.resolve("in.raw").toString(), "--shape", "4,4,4", "--rmw"));
            runs.add(run("transcode", l, tmp.resolve("dst").toString(), "--compress", "gzip"));
            runs.add(run("info", l));
            for (InProcess.Run r : runs) r.failsWith(2, named, "scales[0].key", l);
            // create over it is refused too (a layer exists), and writes nothing either.
            run("create", l, "--dtype", "uint8", "--size", "8,8,8", "--chunk", "4,4,4").failsWith(2, l);

            // The library, directly.
            FormatException e = assertThrows(FormatException.class, () -> BigArray.open(l));
            assertTrue(e.getMessage().contains(named) && e.getMessage().contains(l), e.getMessage());
            assertThrows(FormatException.class, () -> BigArray.open(l, Options.defaults().withReadModifyWrite(true)));
            assertThrows(FormatException.class, () -> Transcode.run(l, tmp.resolve("dst2").toString(), null, Options.defaults()));
            assertThrows(BigArraysException.class, () -> BigArray.create(tmp.resolve("new").toString(),
                    Info.parse(info(key).getBytes(java.nio.charset.StandardCharsets.UTF_8), "test")));

            assertEquals(before, everything(), "nothing new on disk for key " + key);
            assertEquals(0, connections.get(), "no request for key " + key);
        }
    }

    /** The listener does see what it should: without this the zero above would prove nothing. */
    @Test
    void theListenerSeesHttpAndS3Requests() {
        int port = listener.getLocalPort();
        assertThrows(RuntimeException.class, () -> BigArray.open("http://127.0.0.1:" + port + "/layer?attempts=1&timeoutMs=2000"));
        int http = connections.get();
        assertTrue(http > 0, "an http layer URL reaches the listener");
        assertThrows(RuntimeException.class, () -> BigArray.open("s3://victim/layer?attempts=1&timeoutMs=2000"));
        assertTrue(connections.get() > http, "an s3:// URL reaches the listener as the S3 endpoint");
    }
}
