package dev.badnets.cli.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;

/**
 * The body of {@code POST /api/predict}, read strictly: exactly one JSON object
 * {@code {"pixels": [rows x cols integers 0-255, row-major], "trigger": true|false}} ({@code trigger}
 * optional), no field twice, no other field, nothing after it. Anything else is an {@link Invalid}
 * whose message says in plain words what is wrong and what the body should be.
 */
public final class PredictRequest {

    /**
     * Strict JSON: a repeated field is an error. (Anything after the one value is checked by
     * {@link #json} itself, as {@code FAIL_ON_TRAILING_TOKENS} would, to say where the value ended.)
     */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A body that is not a prediction request; the message is meant for the client. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private PredictRequest() {
    }

    /**
     * Reads {@code body[0, length)} into {@code pixels} (its length is {@code rows * cols}) and
     * returns whether the trigger is to be stamped.
     *
     * @throws Invalid for any body that is not exactly such a request
     */
    static boolean parse(byte[] body, int length, int rows, int cols, byte[] pixels) throws Invalid {
        JsonNode root = json(body, length);
        if (!root.isObject()) {
            throw new Invalid("the body must be a JSON object {\"pixels\": [...]}, not " + kind(root));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("pixels") && !name.equals("trigger")) {
                throw new Invalid("unknown field \"" + shorten(name) + "\"; expected \"pixels\" and optionally \"trigger\"");
            }
        }
        JsonNode values = root.get("pixels");
        int size = pixels.length;
        if (values == null || !values.isArray() || values.size() != size) {
            throw new Invalid("\"pixels\" must be an array of " + size + " integers 0-255 (" + rows + "x" + cols
                    + ", row-major), got " + (values == null ? "none" : values.isArray() ? values.size() + " values"
                    : kind(values)));
        }
        for (int i = 0; i < size; i++) {
            JsonNode v = values.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 255) {
                throw new Invalid("pixel " + i + " is " + shorten(v.toString()) + "; expected an integer 0-255");
            }
            pixels[i] = (byte) v.intValue();
        }
        JsonNode trigger = root.get("trigger");
        if (trigger != null && !trigger.isBoolean()) {
            throw new Invalid("\"trigger\" must be true or false, got " + shorten(trigger.toString()));
        }
        return trigger != null && trigger.booleanValue();
    }

    /** The one JSON value of the body; every parse error in plain words, with its line and column. */
    private static JsonNode json(byte[] body, int length) throws Invalid {
        if (length == 0) {
            throw new Invalid("the body is empty; expected {\"pixels\": [...]}");
        }
        try (JsonParser parser = STRICT.createParser(body, 0, length)) {
            JsonNode root = STRICT.readTree(parser);
            if (root == null || root.isMissingNode()) {
                throw new Invalid("the body holds no JSON value; expected {\"pixels\": [...]}");
            }
            JsonLocation end = parser.currentLocation();
            boolean more;
            try {
                more = parser.nextToken() != null;
            } catch (JacksonException e) {
                more = true; // not even JSON follows
            }
            if (more) {
                throw new Invalid("the body goes on after its JSON object at line " + end.getLineNr() + ", column "
                        + end.getColumnNr() + "; send one object only");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new Invalid("the body nests or repeats too deeply to be a prediction request; "
                    + "expected {\"pixels\": [...]}");
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String message = String.valueOf(e.getOriginalMessage());
            if (message.startsWith("Duplicate field")) {
                throw new Invalid("the body names a field twice" + where + "; send each field once");
            }
            throw new Invalid("the body is not valid JSON" + where + "; expected {\"pixels\": [...]} with "
                    + "integers, no NaN, comments or trailing commas");
        } catch (java.io.IOException e) { // bytes in memory: only the parser's own errors, caught above
            throw new Invalid("the body is not valid JSON; expected {\"pixels\": [...]}");
        }
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "an array" : node.isTextual() ? "a string" : node.isNumber() ? "a number"
                : node.isBoolean() ? "a boolean" : node.isNull() ? "null" : "an object";
    }

    /** A client's text quoted back, printable ASCII only and cut to a length that keeps the message one short line. */
    private static String shorten(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
    }
}
