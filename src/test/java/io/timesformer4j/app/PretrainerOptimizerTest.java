package io.timesformer4j.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.timesformer4j.model.MaskedVideoModel;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.util.List;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.junit.jupiter.api.Test;

/** The pretraining optimizer: VideoMAE's AdamW betas, decay on weights only, the unused classifier left out. */
class PretrainerOptimizerTest {
    @Test
    void adamWWithVideoMaeBetasAndTwoGroups() {
        TimeSformer enc = new TimeSformer(Presets.get("tiny", List.of("video")));
        MaskedVideoModel m = new MaskedVideoModel(enc, MaskedVideoModel.DecoderConfig.defaults(enc.config(), 0, 2),
                new float[] {0.45f, 0.45f, 0.45f}, new float[] {0.225f, 0.225f, 0.225f});
        Optimizer opt = Pretrainer.adamW(m, 1e-3, 0.05);
        OptimizerParamGroupVector gs = opt.param_groups();
        assertEquals(2, gs.size());
        double[] wd = new double[2];
        for (int g = 0; g < 2; g++) {
            AdamWOptions o = new AdamWOptions(gs.get(g).options());
            assertArrayEquals(new double[] {0.9, 0.95}, new double[] {o.betas().get(0), o.betas().get(1)}, 0.0);
            wd[g] = o.weight_decay().get();
        }
        assertArrayEquals(new double[] {0.05, 0.0}, wd, 0.0);
        long inGroups = gs.get(0).params().size() + gs.get(1).params().size();
        long all = m.named_parameters(true).size();
        assertEquals(all - 2, inGroups, "every parameter but encoder.classifier.weight/bias is optimised");
        // weights: every Linear/conv weight (ndim >= 2) except the embeddings and the mask token
        long decayed = 0;
        var items = m.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            String n = items.get(i).key().getString();
            long dim = items.get(i).value().dim();
            if (dim >= 2 && !n.contains("classifier") && !n.endsWith("embeddings") && !n.endsWith("cls_token")
                    && !n.endsWith("mask_token")) decayed++;
        }
        assertEquals(decayed, gs.get(0).params().size());
    }
}
