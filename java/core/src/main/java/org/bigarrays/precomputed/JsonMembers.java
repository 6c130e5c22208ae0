package org.bigarrays.precomputed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * JSON members of {@code info} kept as read and written back untouched: the unknown members of the
 * info and of each scale, and a scale's {@code sharding} object. Immutable; Jackson stays an
 * implementation detail (it is not part of the API).
 */
final class JsonMembers {
    static final JsonMembers EMPTY = new JsonMembers(JsonNodeFactory.instance.objectNode());

    private final ObjectNode node;

    private JsonMembers(ObjectNode node) {
        this.node = node;
    }

    /** A deep copy of {@code node}. */
    static JsonMembers of(ObjectNode node) {
        return node.isEmpty() ? EMPTY : new JsonMembers(node.deepCopy());
    }

    /** The JSON of a sharding spec (null for null). */
    static JsonMembers sharding(org.bigarrays.sharding.ShardingSpec spec) {
        if (spec == null) return null;
        try {
            return new JsonMembers((ObjectNode) Info.Mapper.JSON.readTree(spec.toJsonText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // our own JSON
        }
    }

    /** A deep copy of the tree, for writing it out. */
    ObjectNode node() {
        return node.deepCopy();
    }

    public boolean isEmpty() {
        return node.isEmpty();
    }

    public boolean has(String name) {
        return node.has(name);
    }

    /** The member names in their original order. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return Collections.unmodifiableList(out);
    }

    /** A member's value: the string itself for a JSON string, else its JSON text; null if absent. */
    public String text(String name) {
        JsonNode v = node.get(name);
        if (v == null) return null;
        return v.isTextual() ? v.asText() : v.toString();
    }

    /** The members as a JSON object text. */
    @Override
    public String toString() {
        return node.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonMembers m && m.node.equals(node);
    }

    @Override
    public int hashCode() {
        return node.hashCode();
    }
}
