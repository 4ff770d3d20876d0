package dev.threadleak.samples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;

/**
 * Uses its own Jackson and ByteBuddy (versions different from the ones the agent shades) to prove
 * that the agent's copies do not clash with the application's. Prints one line and exits 0.
 */
public final class ClashApp {

    static final String GENERATED = "dev.threadleak.samples.Generated";
    static final String BYTEBUDDY_POM = "META-INF/maven/net.bytebuddy/byte-buddy/pom.properties";

    public static void main(String[] args) throws Exception {
        // ByteBuddy 1.14.18 only knows class-file versions up to Java 23. On a newer JVM (e.g. 25)
        // ClassFileVersion.ofThisVm() throws "Unknown Java version" and new ByteBuddy() silently falls
        // back to emitting Java 5 class files; anything that parses the JDK's own (newer) class files
        // fails. net.bytebuddy.experimental=true makes it accept the running VM's version. It must be
        // set before ByteBuddy's classes initialise, so do it first thing (unless the user chose a value).
        if (Runtime.version().feature() > 23 && System.getProperty("net.bytebuddy.experimental") == null) {
            System.setProperty("net.bytebuddy.experimental", "true");
        }

        String[] result = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            try {
                result[0] = "clash ok: jackson " + jacksonVersion()
                        + ", bytebuddy " + byteBuddyVersion()
                        + ", generated " + generateClass();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "clash-worker");
        worker.start();
        worker.join();
        if (failure[0] != null) {
            System.err.println("clash FAILED: " + failure[0]);
            System.exit(1);
        }
        System.out.println(result[0]);
    }

    /** Round-trips a Map through the application's own ObjectMapper; returns the Jackson version it carries. */
    static String jacksonVersion() throws IOException {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("sample", "clash");
        doc.put("jackson", PackageVersion.VERSION.toString());
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(doc);
        Map<String, String> back = mapper.readValue(json, new TypeReference<Map<String, String>>() { });
        if (!"clash".equals(back.get("sample"))) {
            throw new IllegalStateException("unexpected JSON " + json);
        }
        return back.get("jackson");
    }

    /** Version of the ByteBuddy actually loaded, read from the pom.properties inside the jar that holds its class. */
    static String byteBuddyVersion() throws IOException {
        String version = ByteBuddy.class.getPackage().getImplementationVersion();
        if (version != null) {
            return version;
        }
        Properties pom = new Properties();
        URL location = ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation();
        if (location != null && location.getPath().endsWith(".jar")) {
            try (JarFile jar = new JarFile(new java.io.File(location.getPath()))) {
                ZipEntry entry = jar.getEntry(BYTEBUDDY_POM);
                if (entry != null) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        pom.load(in);
                    }
                }
            }
        }
        if (pom.getProperty("version") == null) {
            try (InputStream in = ByteBuddy.class.getClassLoader().getResourceAsStream(BYTEBUDDY_POM)) {
                if (in != null) {
                    pom.load(in);
                }
            }
        }
        return pom.getProperty("version", "unknown");
    }

    /** Generates, loads and instantiates a subclass of Object; returns the instance's class name. */
    static String generateClass() throws ReflectiveOperationException {
        Class<?> type = new ByteBuddy()
                .subclass(Object.class)
                .name(GENERATED)
                .make()
                .load(ClashApp.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(MethodHandles.lookup()))
                .getLoaded();
        Object instance = type.getDeclaredConstructor().newInstance();
        return instance.getClass().getName();
    }

    private ClashApp() {
    }
}
