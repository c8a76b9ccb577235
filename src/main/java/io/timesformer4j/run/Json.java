package io.timesformer4j.run;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The project's JSON mapper for run folders, reports and CLI output (NaN is written and read as NaN, since
 * a run without validation logs NaN accuracies). {@code model} keeps its own for the Hugging Face files.
 */
public final class Json {
    /** Thread-safe once configured; never reconfigure it. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {}

    /** Indented output. */
    public static ObjectWriter pretty() {
        return MAPPER.writerWithDefaultPrettyPrinter();
    }
}
