package io.timesformer4j.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub model id with an optional revision: {@code org/name} or {@code org/name@revision}
 * (a branch, tag or commit sha; default {@code main}).
 *
 * @param repo     {@code org/name}
 * @param revision branch, tag or 40-hex commit
 */
public record HubId(String repo, String revision) {
    private static final Pattern ID = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9._-]{0,95})/([A-Za-z0-9][A-Za-z0-9._-]{0,95})(?:@(.+))?");

    /** Validates the parts. */
    public HubId {
        if (repo == null || !ID.matcher(repo).matches() || repo.contains("@"))
            throw new IllegalArgumentException("not a Hugging Face model id (org/name): " + repo);
        if (revision == null || revision.isBlank()) revision = "main";
    }

    /** Parses {@code org/name} or {@code org/name@revision}. */
    public static HubId parse(String s) {
        Matcher m = ID.matcher(s == null ? "" : s.trim());
        if (!m.matches() || m.group(2).endsWith(".") || m.group(2).contains(".."))
            throw new IllegalArgumentException("not a Hugging Face model id (org/name or org/name@revision): " + s);
        return new HubId(m.group(1) + "/" + m.group(2), m.group(3));
    }

    /**
     * True when {@code s} reads as a Hub id and is not an existing local path: a local file or folder
     * named {@code runs/best} always wins over the Hub.
     */
    public static boolean looksLike(String s) {
        if (s == null || !ID.matcher(s.trim()).matches() || s.startsWith(".") || s.startsWith("/")) return false;
        try {
            String local = s.contains("@") ? s.substring(0, s.indexOf('@')) : s;
            return !Files.exists(Path.of(s)) && !Files.exists(Path.of(local));
        } catch (InvalidPathException e) {
            return true;
        }
    }

    /** The cache folder name: {@code models--org--name}. */
    public String cacheFolder() {
        return "models--" + repo.replace("/", "--");
    }

    @Override
    public String toString() {
        return "main".equals(revision) ? repo : repo + "@" + revision;
    }
}
