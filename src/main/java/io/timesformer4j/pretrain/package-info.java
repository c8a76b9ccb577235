/**
 * Self-supervised pretraining of the TimeSformer encoder by masked video modelling (VideoMAE, Tong et al. 2022)
 * on unlabelled videos: {@link io.timesformer4j.pretrain.Pretrainer} runs the epochs into a run folder
 * (checkpoint, metrics, loss curve, reconstruction PNGs, {@code encoder/} model dir) with the run-folder
 * machinery of {@code train}; {@code train --init RUN} starts a classifier from the encoder.
 */
package io.timesformer4j.pretrain;
