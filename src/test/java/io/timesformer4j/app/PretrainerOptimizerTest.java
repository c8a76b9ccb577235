package io.timesformer4j.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.MaskedVideoModel;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.train.FusedAdam;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pretraining optimizer: VideoMAE's AdamW betas, decay on weights only, the unused classifier left out. */
class PretrainerOptimizerTest {
    @Test
    void adamWWithVideoMaeBetasAndTwoGroups() {
        TimeSformer enc = new TimeSformer(Presets.get("tiny", List.of("video")));
        MaskedVideoModel m = new MaskedVideoModel(enc, MaskedVideoModel.DecoderConfig.defaults(enc.config(), 0, 2),
                new float[] {0.45f, 0.45f, 0.45f}, new float[] {0.225f, 0.225f, 0.225f});
        FusedAdam opt = Pretrainer.adamW(m, 1e-3, 0.05);
        assertTrue(opt.decoupled());
        assertArrayEquals(new double[] {0.9, 0.95}, opt.betas(), 0.0);
        assertArrayEquals(new double[] {0.05, 0.0}, new double[] {opt.weightDecay(0), opt.weightDecay(1)}, 0.0);
        int[] sizes = opt.groupSizes();
        assertEquals(2, sizes.length);
        long all = m.named_parameters(true).size();
        assertEquals(all - 2, sizes[0] + sizes[1], "every parameter but encoder.classifier.weight/bias is optimised");
        // weights: every Linear/conv weight (ndim >= 2) except the embeddings and the mask token
        long decayed = 0;
        var items = m.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            String n = items.get(i).key().getString();
            long dim = items.get(i).value().dim();
            if (dim >= 2 && !n.contains("classifier") && !n.endsWith("embeddings") && !n.endsWith("cls_token")
                    && !n.endsWith("mask_token")) decayed++;
        }
        assertEquals(decayed, sizes[0]);
    }
}
