/**
 * A small Hugging Face Hub client that shares Python's {@code huggingface_hub} cache: {@link
 * io.timesformer4j.hub.HubId} ({@code org/name[@revision]}), {@link io.timesformer4j.hub.HubSettings} (the
 * {@code HF_*} environment variables) and {@link io.timesformer4j.hub.HubClient} (HEAD/GET protocol, resumable,
 * checksum-verified, atomic downloads into {@code models--org--name/{blobs,snapshots,refs}}).
 *
 * <p>A leaf package: it uses only the JDK ({@code java.net.http}) and the progress bar library, so every other
 * package may use it.
 */
package io.timesformer4j.hub;
