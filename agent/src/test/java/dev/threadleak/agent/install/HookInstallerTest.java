package dev.threadleak.agent.install;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

class HookInstallerTest {
    private static byte[] threadClass() throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/Thread.class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theRunningJdksClassFilesAreReadable() throws Exception {
        byte[] thread = threadClass();
        assertThatCode(() -> HookWeaver.checkReadable(thread, -1)).doesNotThrowAnyException();
        int major = (thread[6] & 0xff) << 8 | thread[7] & 0xff;
        assertThatCode(() -> HookWeaver.checkReadable(thread, major)).doesNotThrowAnyException();
    }

    @Test
    void aClassFileVersionNewerThanAsmKnowsIsOneClearMessage() throws Exception {
        assertThatThrownBy(() -> HookWeaver.checkReadable(threadClass(), 255)).isInstanceOf(HookInstaller.NotHooked.class)
                .hasMessageContaining("(class file version 255) is newer than this threadleak can hook")
                .hasMessageContaining("the application runs without the agent's hooks");
    }
}
