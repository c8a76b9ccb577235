package io.timesformer4j.train;

import io.timesformer4j.run.Checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Tensors taken from {@code named_parameters().items().get(i).value()} point into the item, which JavaCPP frees
 * when the item is garbage collected: a handle kept after that read freed memory (a JVM crash in
 * {@code TensorVector.put} while building the optimizer, seen in VideoTrainingTest). The handles the model,
 * optimizer factory and checkpoint give out must stay valid after a GC.
 */
class ParameterHandlesTest {
    private static void churn(TimeSformer model) throws InterruptedException {
        List<Object> keep = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(30);
            // re-allocate objects of the freed items' size so freed memory gets reused
            var items = model.named_parameters(true).items();
            for (long i = 0; i < items.size(); i++) keep.add(new StringTensorDictItem("x" + i, new Tensor()));
        }
    }

    private static void assertLive(TimeSformer model, Map<String, Tensor> handles) {
        Map<String, Tensor> fresh = new java.util.LinkedHashMap<>();
        var items = model.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            StringTensorDictItem it = items.get(i);
            fresh.put(it.key().getString(), new Tensor(it.value()));
        }
        assertEquals(fresh.keySet(), handles.keySet());
        for (var e : handles.entrySet()) {
            assertTrue(e.getValue().defined(), e.getKey());
            assertTrue(e.getValue().is_same(fresh.get(e.getKey())), e.getKey() + " no longer refers to the parameter");
        }
    }

    @Test
    void stateDictHandlesSurviveGarbageCollection() throws Exception {
        TimeSformer model = new TimeSformer(Presets.get("tiny", List.of("a", "b")));
        Map<String, Tensor> sd = model.stateDict();
        Map<String, Tensor> ck = Checkpoint.stateDict(model);
        churn(model);
        assertLive(model, sd);
        for (String k : sd.keySet()) assertTrue(ck.get(k).is_same(sd.get(k)), k);
    }

    @Test
    void optimizerFactoryAfterGarbageCollection() throws Exception {
        TimeSformer model = new TimeSformer(Presets.get("tiny", List.of("a", "b")));
        for (OptimizerSpec.Kind kind : OptimizerSpec.Kind.values()) {
            for (int i = 0; i < 2; i++) {
                var opt = Optimizers.create(model, new OptimizerSpec(kind, 1e-3, 0.01, 0.9, false));
                churn(model);
                // the optimizer holds the live parameters: every one of them is a model parameter, and a step moves them
                java.util.Set<String> seen = new java.util.HashSet<>();
                Map<String, Tensor> sd = model.stateDict();
                long held = 0;
                for (Tensor p : opt.parameters()) {
                    String name = sd.entrySet().stream().filter(e -> e.getValue().is_same(p)).map(Map.Entry::getKey)
                            .findFirst().orElse(null);
                    assertTrue(name != null, kind + ": optimizer parameter " + held + " is not a model parameter");
                    seen.add(name);
                    held++;
                }
                assertEquals(model.parameters().size(), held, kind + ": parameters held");
                assertEquals(held, seen.size(), kind + ": a parameter is held twice");
                Tensor w = sd.get("classifier.weight");
                Tensor was = w.detach().clone();
                opt.zeroGrad();
                model.train(false);
                model.forward(org.bytedeco.pytorch.global.torch.randn(2, 4, 3, 32, 32)).pow(new org.bytedeco.pytorch.Scalar(2.0)).sum().backward();
                opt.step();
                assertFalse(w.equal(was), kind + ": a step did not move classifier.weight");
            }
        }
    }
}
