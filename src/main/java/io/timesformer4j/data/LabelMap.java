package io.timesformer4j.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Class names ↔ indices. An inferred map is sorted by name ({@link #sorted}), so the same folder always
 * gives the same indices; a map read from a model ({@link #of} / {@link #fromId2Label}) keeps the model's
 * order so evaluation data maps names to the model's indices. Saved with the model as {@code id2label}.
 */
public final class LabelMap {
    private final List<String> names;
    private final Map<String, Integer> index;

    private LabelMap(List<String> names) {
        this.names = List.copyOf(names);
        this.index = new HashMap<>();
        for (int i = 0; i < this.names.size(); i++) {
            String n = this.names.get(i);
            if (n.isBlank()) throw new IllegalArgumentException("blank class name at index " + i);
            if (index.put(n, i) != null) throw new IllegalArgumentException("duplicate class name '" + n + "'");
        }
    }

    /** The distinct names sorted (natural String order); index = position. */
    public static LabelMap sorted(Collection<String> names) {
        return new LabelMap(new ArrayList<>(new TreeSet<>(names)));
    }

    /** Names in the given order (e.g. a model's classes); index = position. */
    public static LabelMap of(List<String> namesInOrder) {
        return new LabelMap(namesInOrder);
    }

    /** From a Hugging Face style {@code id2label} map whose keys are 0..n-1. */
    public static LabelMap fromId2Label(Map<Integer, String> id2label) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            String n = id2label.get(i);
            if (n == null) throw new IllegalArgumentException("id2label has no entry for id " + i);
            names.add(n);
        }
        return new LabelMap(names);
    }

    /** {@code {0: "ccw", 1: "cw", ...}} in index order, for {@code config.json}. */
    public Map<Integer, String> id2label() {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(i, names.get(i));
        return m;
    }

    /** Index of {@code name}, or -1 when the map has no such class. */
    public int indexOf(String name) {
        return index.getOrDefault(name, -1);
    }

    public String name(int index) {
        return names.get(index);
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMap m && m.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
