package io.timesformer4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.FrameOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counting of changed predictions, transitions and partner predictions, on hand-made probabilities. */
class OrderDiagnosticTest {
    static final List<String> CLASSES = List.of("left", "right", "up");

    static float[] onehot(int c) {
        float[] p = new float[3];
        p[c] = 1;
        return p;
    }

    @Test
    void countsChangesIntoWhatAndPartners() {
        // true:      left  left  right right up
        // natural:   left  left  right left  up
        // reversed:  right left  left  left  up      (matched by path, in another order)
        Predictions nat = new Predictions(new float[][] {onehot(0), onehot(0), onehot(1), onehot(0), onehot(2)},
                new int[] {0, 0, 1, 1, 2}, List.of("a", "b", "c", "d", "e"));
        Predictions rev = new Predictions(new float[][] {onehot(2), onehot(0), onehot(0), onehot(0), onehot(1)},
                new int[] {2, 1, 1, 0, 0}, List.of("e", "d", "c", "b", "a"));
        OrderDiagnostic d = OrderDiagnostic.of(FrameOrder.REVERSED, nat, rev, CLASSES, OrderDiagnostic.parsePairs(List.of("left:right")));
        assertEquals(5, d.samples());
        assertEquals(2, d.changed());
        assertEquals(0.4, d.fractionChanged(), 1e-12);
        assertEquals(0.8, d.accuracy(), 1e-12);
        assertEquals(0.4, d.accuracyPermuted(), 1e-12);
        assertEquals(0.4, d.meanProbChange(), 1e-6);                 // two clips moved all their probability
        assertEquals(4, d.partnerClips());                          // up has no partner
        assertEquals(3, d.partner());                               // a: left -> right; c, d: right -> left
        assertEquals(0.75, d.partnerFraction(), 1e-12);
        assertArrayEquals(new int[][] {{2, 1, 0}, {1, 0, 0}, {0, 0, 1}}, d.transitions());
        OrderDiagnostic.ClassRow left = d.perClass().get(0);
        assertEquals(List.of("left", "2", "1", "right", "1"), List.of(left.name(), "" + left.clips(), "" + left.changed(),
                left.partnerClass(), "" + left.toPartner()));
        assertEquals(Map.of("left->right", 1, "left->left", 1), left.moves());
        OrderDiagnostic.ClassRow right = d.perClass().get(1);
        assertEquals(Map.of("right->left", 1, "left->left", 1), right.moves());
        assertEquals(2, right.toPartner());
        String table = d.table();
        assertTrue(table.contains("time-reversed frames: 2 of 5 predictions changed (40.0 %); accuracy 0.800 -> 0.400"), table);
        assertTrue(table.contains("predicted as the partner class: 3 of 4 (75.0 %); pairs left:right"), table);
        assertEquals("right", d.clips().get(0).predictedPermuted());
    }

    @Test
    void pairsAreParsedBothWaysAndBadOnesRefused() {
        assertEquals(Map.of("left", "right", "right", "left", "up", "down", "down", "up"),
                OrderDiagnostic.parsePairs(List.of("left:right", " up : down")));
        for (String bad : List.of("left", "left:", "left:left", "a:b:c")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrderDiagnostic.parsePairs(List.of(bad)));
            assertTrue(e.getMessage().startsWith("--pairs: expected CLASS:PARTNER"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderDiagnostic.parsePairs(List.of("left:right", "right:up")));
        assertEquals("--pairs: class 'right' is in two pairs", e.getMessage());
    }
}
