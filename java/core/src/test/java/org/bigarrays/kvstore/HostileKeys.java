package org.bigarrays.kvstore;

import java.util.List;

/** Key forms that must never be accepted (issue 15's traversal list and neighbours); shared by the core and CLI tests. */
public final class HostileKeys {
    private HostileKeys() {}

    /** Every hostile key form. */
    public static final List<String> ALL = List.of("../x", "a/../../../x", "/abs/path", "file:///tmp/x", "%2e%2e/x", "%2E%2E/x",
            "a/%2f/b", "a%5c..%5cb", "s3://victim/planted", "http://127.0.0.1:1/internal", "a\\..\\b", "a\\b", "a//b", "", ".", "..",
            "./x", "x/.", "x/..", "trailing/", "C:x", "c:/x", "a?b", "a#b", "a\u0000b", "a\nb", "x\u007f");
}
