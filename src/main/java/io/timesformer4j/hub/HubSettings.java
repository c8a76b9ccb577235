package io.timesformer4j.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Where the Hub is and where its files are cached, read from the same environment variables as Python's
 * {@code huggingface_hub} ({@code constants.py}), so both share one cache.
 *
 * @param endpoint    {@code HF_ENDPOINT}, default {@code https://huggingface.co} (no trailing slash)
 * @param cache       {@code HF_HUB_CACHE} (legacy {@code HUGGINGFACE_HUB_CACHE}), default {@code $HF_HOME/hub};
 *                    {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface}
 * @param token       {@code HF_TOKEN} (legacy {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code HF_TOKEN_PATH}
 *                    (default {@code $HF_HOME/token}); null for none
 * @param offline     {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) = 1/true/yes/on: cache only
 * @param timeout     connect and metadata timeout ({@code HF_HUB_ETAG_TIMEOUT}, default 10 s)
 * @param downloadTimeout a download that receives nothing for this long is cut and resumed
 *                    ({@code HF_HUB_DOWNLOAD_TIMEOUT}, default 10 s)
 */
public record HubSettings(String endpoint, Path cache, String token, boolean offline, Duration timeout,
                          Duration downloadTimeout) {
    /** Default Hub endpoint. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** Normalises the endpoint (no trailing slash) and checks the fields. */
    public HubSettings {
        if (endpoint == null || endpoint.isBlank()) endpoint = DEFAULT_ENDPOINT;
        while (endpoint.endsWith("/")) endpoint = endpoint.substring(0, endpoint.length() - 1);
        if (cache == null) throw new IllegalArgumentException("cache folder is required");
        if (token != null && token.isBlank()) token = null;
        if (timeout == null || timeout.isNegative() || timeout.isZero()) timeout = Duration.ofSeconds(10);
        if (downloadTimeout == null || downloadTimeout.isNegative() || downloadTimeout.isZero())
            downloadTimeout = Duration.ofSeconds(10);
    }

    /** With the default download timeout (10 s). */
    public HubSettings(String endpoint, Path cache, String token, boolean offline, Duration timeout) {
        this(endpoint, cache, token, offline, timeout, null);
    }

    /** From this process's environment. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** From the given environment (tests pass their own map). */
    public static HubSettings fromEnvironment(Map<String, String> env) {
        Path home;
        if (set(env, "HF_HOME")) home = Path.of(env.get("HF_HOME"));
        else if (set(env, "XDG_CACHE_HOME")) home = Path.of(env.get("XDG_CACHE_HOME"), "huggingface");
        else home = Path.of(System.getProperty("user.home"), ".cache", "huggingface");
        Path cache = set(env, "HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE"))
                : set(env, "HUGGINGFACE_HUB_CACHE") ? Path.of(env.get("HUGGINGFACE_HUB_CACHE")) : home.resolve("hub");
        String token = set(env, "HF_TOKEN") ? env.get("HF_TOKEN").trim()
                : set(env, "HUGGING_FACE_HUB_TOKEN") ? env.get("HUGGING_FACE_HUB_TOKEN").trim() : null;
        if (token == null) {
            Path tp = set(env, "HF_TOKEN_PATH") ? Path.of(env.get("HF_TOKEN_PATH")) : home.resolve("token");
            try {
                if (Files.isRegularFile(tp)) token = Files.readString(tp).trim();
            } catch (IOException e) {
                token = null;     // unreadable token file: anonymous, as huggingface_hub does
            }
        }
        boolean offline = truthy(env.get("HF_HUB_OFFLINE")) || truthy(env.get("TRANSFORMERS_OFFLINE"));
        return new HubSettings(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT), cache, token, offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"));
    }

    /** A copy working from the cache only. */
    public HubSettings withOffline(boolean off) {
        return new HubSettings(endpoint, cache, token, off, timeout, downloadTimeout);
    }

    /** A copy with another token (null for anonymous). */
    public HubSettings withToken(String t) {
        return new HubSettings(endpoint, cache, t, offline, timeout, downloadTimeout);
    }

    private static Duration seconds(Map<String, String> env, String key) {
        if (!set(env, key)) return Duration.ofSeconds(10);
        try {
            return Duration.ofMillis((long) (Double.parseDouble(env.get(key).trim()) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be seconds, got '" + env.get(key) + "'");
        }
    }

    /** A copy cutting stalled downloads after {@code d}. */
    public HubSettings withDownloadTimeout(Duration d) {
        return new HubSettings(endpoint, cache, token, offline, timeout, d);
    }

    private static boolean set(Map<String, String> env, String k) {
        String v = env.get(k);
        return v != null && !v.isBlank();
    }

    private static boolean truthy(String v) {
        return v != null && switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", cache=" + cache + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + ", timeout=" + timeout + ", downloadTimeout=" + downloadTimeout + "]";
    }
}
