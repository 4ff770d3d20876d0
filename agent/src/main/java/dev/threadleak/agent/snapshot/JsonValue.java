package dev.threadleak.agent.snapshot;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON value read with jackson-core's streaming parser: the small tree the dump reader walks field by field. Its
 * own, not databind's {@code JsonNode}: databind was two thirds of the agent jar's entries, and every JVM that loads
 * the agent opens the jar and indexes all of them. Lookups behave as {@code JsonNode}'s: a missing field is
 * {@code null} from {@link #get} and {@link #MISSING} from {@link #path}, which reads as its defaults.
 */
public final class JsonValue implements Iterable<JsonValue> {
    /** A field that is not there (or a lookup in a value that is no object): every {@code as...} gives its default. */
    static final JsonValue MISSING = new JsonValue(null);
    private static final JsonValue NULL = new JsonValue(null), TRUE = new JsonValue(true), FALSE = new JsonValue(false);

    /** Map (object), List (array), String, Long or BigInteger (whole numbers), Double, Boolean; null for null and missing. */
    private final Object value;

    private JsonValue(Object value) {
        this.value = value;
    }

    /** An object whose fields are {@code fields}, as they are then (the map is not copied). */
    static JsonValue object(Map<String, JsonValue> fields) {
        return new JsonValue(fields);
    }

    /** The value starting at the parser's current token; the parser is left on its last token. */
    public static JsonValue read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) throw new IOException("no value to read");
        switch (t) {
            case START_OBJECT -> {
                Map<String, JsonValue> fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    fields.put(name, read(p)); // a name given twice: the last value, as databind's tree keeps
                }
                return new JsonValue(fields);
            }
            case START_ARRAY -> {
                List<JsonValue> elements = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) elements.add(read(p));
                return new JsonValue(elements);
            }
            case VALUE_STRING -> {
                return new JsonValue(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return new JsonValue(p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return new JsonValue(p.getDoubleValue());
            }
            case VALUE_TRUE -> {
                return TRUE;
            }
            case VALUE_FALSE -> {
                return FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new IOException("unexpected " + t);
        }
    }

    /** The named field of an object, or null (missing, or this is no object). */
    public JsonValue get(String name) {
        return value instanceof Map<?, ?> m ? (JsonValue) m.get(name) : null;
    }

    /** As {@link #get}, but {@link #MISSING} rather than null. */
    public JsonValue path(String name) {
        JsonValue v = get(name);
        return v == null ? MISSING : v;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** JSON null (not {@link #MISSING}). */
    public boolean isNull() {
        return value == null && this != MISSING;
    }

    public boolean isTextual() {
        return value instanceof String;
    }

    boolean isArray() {
        return value instanceof List;
    }

    /** A number written without fraction or exponent. */
    boolean isIntegralNumber() {
        return value instanceof Long || value instanceof BigInteger;
    }

    boolean canConvertToLong() {
        return value instanceof Long || (value instanceof BigInteger b && b.bitLength() < 64);
    }

    boolean canConvertToInt() {
        return value instanceof Long l && l == l.intValue();
    }

    /** The elements of an array; none for anything else. */
    @SuppressWarnings("unchecked")
    public List<JsonValue> elements() {
        return value instanceof List<?> l ? (List<JsonValue>) l : List.of();
    }

    /** The elements of an array; none for anything else. */
    @Override
    public Iterator<JsonValue> iterator() {
        return elements().iterator();
    }

    /** The fields of an object, in the order written; none for anything else. */
    @SuppressWarnings("unchecked")
    Map<String, JsonValue> fields() {
        return value instanceof Map<?, ?> m ? (Map<String, JsonValue>) m : Collections.emptyMap();
    }

    int size() {
        return value instanceof List<?> l ? l.size() : value instanceof Map<?, ?> m ? m.size() : 0;
    }

    /** A string's text, a number's or a boolean's as written; "" for an object, an array or a missing value, "null" for null. */
    public String asText() {
        if (value == null) return this == MISSING ? "" : "null";
        return value instanceof Map || value instanceof List ? "" : String.valueOf(value);
    }

    /** As {@link #asText()}, but {@code otherwise} for null or missing. */
    public String asText(String otherwise) {
        return value == null ? otherwise : asText();
    }

    /** A number's value (a fraction cut off), a string's if it holds a whole number, a boolean's 1 or 0; else {@code otherwise}. */
    public long asLong(long otherwise) {
        if (value instanceof Number n) return n.longValue();
        if (value instanceof Boolean b) return b ? 1 : 0;
        if (value instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
        return otherwise;
    }

    long asLong() {
        return asLong(0);
    }

    public int asInt(int otherwise) {
        return (int) asLong(otherwise);
    }

    int asInt() {
        return asInt(0);
    }

    /** A boolean's value, a number's (not zero), a string's "true" or "false"; else {@code otherwise}. */
    public boolean asBoolean(boolean otherwise) {
        if (value instanceof Boolean b) return b;
        if (value instanceof Number n) return n.longValue() != 0;
        if (value instanceof String s) {
            if (s.trim().equals("true")) return true;
            if (s.trim().equals("false")) return false;
        }
        return otherwise;
    }

    boolean asBoolean() {
        return asBoolean(false);
    }

    /** As JSON (for error messages: {@code bad frame index "x"}). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out);
        return out.toString();
    }

    private void write(StringBuilder out) {
        if (value instanceof String s) {
            out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
        } else if (value instanceof List<?>) {
            out.append('[');
            String sep = "";
            for (JsonValue e : elements()) {
                out.append(sep);
                e.write(out);
                sep = ",";
            }
            out.append(']');
        } else if (value instanceof Map<?, ?>) {
            out.append('{');
            String sep = "";
            for (Map.Entry<String, JsonValue> f : fields().entrySet()) {
                out.append(sep).append('"').append(JsonStringEncoder.getInstance().quoteAsString(f.getKey())).append("\":");
                f.getValue().write(out);
                sep = ",";
            }
            out.append('}');
        } else {
            out.append(this == MISSING ? "" : String.valueOf(value));
        }
    }
}
