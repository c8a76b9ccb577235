package io.timesformer4j;

import io.timesformer4j.runtime.Natives;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Loads the natives once per test JVM, before any test class touches libtorch (empty-cache crash). */
public class NativeSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Natives.ensureLoaded();
    }
}
