import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks a Maven repository that {@code mvn deploy} wrote (scripts/check-publishable) against what Maven Central asks
 * of each component, signatures aside: a pom with name, description, url, licenses, developers and scm (inherited from
 * a deployed parent where Maven inherits them; name never is), the jar, its -sources.jar and -javadoc.jar, .md5 and
 * .sha1 checksums that match, no {@code ${...}} a consumer cannot resolve in what a consumer reads (coordinates,
 * parent, dependencies, metadata), the parent deployed wherever one is referenced, no runtime dependency on an
 * artifact that is not deployed, META-INF/LICENSE in every jar, and nothing of the modules no user takes.
 *
 * <p>Which modules are published comes from the build itself: the root pom's modules, less those whose pom sets
 * {@code threadleak.unpublished} to true. One line per problem; exit 1 if there is any, 2 on bad usage.
 *
 * <p>Usage: {@code java build-tools/CheckPublishable.java <repository dir> <project root>}
 */
public final class CheckPublishable {
    /** The modules no user takes: never published, whatever their poms say. */
    private static final Set<String> NEVER = Set.of("threadleak-samples", "threadleak-bench", "threadleak-corpus", "threadleak-names");
    /** What Central reads from the pom, beside name (which Maven never inherits). */
    private static final List<String> METADATA = List.of("description", "url", "licenses/license/name", "developers/developer",
            "scm/connection", "scm/developerConnection", "scm/url");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    private final List<String> problems = new ArrayList<>();
    private final Path repo;

    private CheckPublishable(Path repo) {
        this.repo = repo;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !Files.isDirectory(Path.of(args[0])) || !Files.isRegularFile(Path.of(args[1], "pom.xml"))) {
            System.err.println("usage: java CheckPublishable.java <repository dir written by mvn deploy> <project root>");
            System.exit(2);
        }
        CheckPublishable check = new CheckPublishable(Path.of(args[0]));
        Map<String, String> published = check.run(Path.of(args[1]));
        check.problems.forEach(System.out::println);
        if (!check.problems.isEmpty()) System.exit(1);
        System.out.println("publishable: " + String.join(", ", published.keySet()));
    }

    /** Checks the repository against the build at {@code root}; returns the published artifactIds and their packaging. */
    private Map<String, String> run(Path root) throws Exception {
        Element rootPom = parse(root.resolve("pom.xml"));
        String groupId = text(rootPom, "groupId").orElseThrow(), version = text(rootPom, "version").orElseThrow();
        Map<String, String> published = new LinkedHashMap<>();
        published.put(text(rootPom, "artifactId").orElseThrow(), text(rootPom, "packaging").orElse("jar"));
        for (Element module : children(child(rootPom, "modules"), "module")) {
            Element pom = parse(root.resolve(module.getTextContent().strip()).resolve("pom.xml"));
            String artifactId = text(pom, "artifactId").orElseThrow();
            boolean unpublished = text(pom, "properties/threadleak.unpublished").map(Boolean::parseBoolean).orElse(false);
            if (NEVER.contains(artifactId) && !unpublished) problem(artifactId, "must not be published: its pom lacks <threadleak.unpublished>true");
            if (!unpublished) published.put(artifactId, text(pom, "packaging").orElse("jar"));
        }
        Path groupDir = repo.resolve(groupId.replace('.', '/'));
        Set<String> deployed = new TreeSet<>();
        if (Files.isDirectory(groupDir)) {
            try (Stream<Path> dirs = Files.list(groupDir)) {
                dirs.filter(Files::isDirectory).forEach(d -> deployed.add(d.getFileName().toString()));
            }
        }
        for (String artifactId : deployed) {
            if (!published.containsKey(artifactId)) {
                problem(artifactId, NEVER.contains(artifactId) ? "deployed, but no user takes it" : "deployed, but not a published module of this build");
            }
        }
        for (var e : published.entrySet()) {
            if (!deployed.contains(e.getKey())) problem(e.getKey(), "not deployed (no " + groupDir.relativize(groupDir.resolve(e.getKey())) + "/ in the repository)");
            else checkArtifact(groupDir, groupId, e.getKey(), version, e.getValue(), deployed);
        }
        return published;
    }

    private void checkArtifact(Path groupDir, String groupId, String artifactId, String version, String packaging, Set<String> deployed)
            throws Exception {
        Path dir = groupDir.resolve(artifactId).resolve(version);
        if (!Files.isDirectory(dir)) {
            problem(artifactId, "no version " + version + " deployed");
            return;
        }
        List<String> kinds = packaging.equals("pom") ? List.of(".pom") : List.of(".pom", ".jar", "-sources.jar", "-javadoc.jar");
        for (String kind : kinds) {
            Optional<Path> file = find(dir, artifactId, version, kind);
            if (file.isEmpty()) {
                problem(artifactId, "no " + artifactId + "-" + version + kind);
                continue;
            }
            checkChecksums(artifactId, file.get());
            if (kind.equals(".jar")) checkLicense(artifactId, file.get());
            if (kind.equals(".pom")) checkPom(artifactId, file.get(), groupDir, groupId, deployed);
        }
    }

    /** The file of that kind: {@code a-1.0.jar}, or for a snapshot {@code a-1.0-20260101.120000-1.jar}. */
    private static Optional<Path> find(Path dir, String artifactId, String version, String kind) throws IOException {
        String base = Pattern.quote(version.replaceFirst("-SNAPSHOT$", ""));
        Pattern name = Pattern.compile(Pattern.quote(artifactId + "-") + "(" + Pattern.quote(version) + "|" + base
                + "-\\d{8}\\.\\d{6}-\\d+)" + Pattern.quote(kind));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> name.matcher(f.getFileName().toString()).matches()).sorted().reduce((a, b) -> b);
        }
    }

    private void checkChecksums(String artifactId, Path file) throws IOException, NoSuchAlgorithmException {
        byte[] content = Files.readAllBytes(file);
        for (String[] sum : new String[][] {{"md5", "MD5"}, {"sha1", "SHA-1"}}) {
            Path sumFile = file.resolveSibling(file.getFileName() + "." + sum[0]);
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance(sum[1]).digest(content));
            if (!Files.isRegularFile(sumFile)) problem(artifactId, "no ." + sum[0] + " for " + file.getFileName());
            else if (!Files.readString(sumFile).strip().split("\\s+")[0].equalsIgnoreCase(expected)) {
                problem(artifactId, file.getFileName() + "." + sum[0] + " does not match the file");
            }
        }
    }

    private void checkLicense(String artifactId, Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.getEntry("META-INF/LICENSE") == null) problem(artifactId, jar.getFileName() + " has no META-INF/LICENSE");
        }
    }

    private void checkPom(String artifactId, Path file, Path groupDir, String groupId, Set<String> deployed) throws Exception {
        Element pom = parse(file);
        if (text(pom, "name").isEmpty()) problem(artifactId, "pom has no <name>");
        // the pom and its deployed parents, nearest first: what a consumer's Maven inherits
        List<Element> chain = new ArrayList<>(List.of(pom));
        for (Element p = pom; child(p, "parent") != null; ) {
            Element parent = child(p, "parent");
            String pg = text(parent, "groupId").orElse(""), pa = text(parent, "artifactId").orElse(""), pv = text(parent, "version").orElse("");
            Optional<Path> parentPom = Files.isDirectory(repo.resolve(pg.replace('.', '/')).resolve(pa).resolve(pv))
                    ? find(repo.resolve(pg.replace('.', '/')).resolve(pa).resolve(pv), pa, pv, ".pom") : Optional.empty();
            if (parentPom.isEmpty()) {
                if (pg.equals(groupId)) problem(artifactId, "its parent " + pg + ":" + pa + ":" + pv + " is not deployed");
                break; // a third-party parent comes from Central itself
            }
            p = parse(parentPom.get());
            chain.add(p);
        }
        for (String path : METADATA) {
            if (chain.stream().noneMatch(p -> text(p, path).isPresent())) problem(artifactId, "pom has no <" + path.replace("/", "><") + "> (nor does a parent)");
        }
        Set<String> properties = new TreeSet<>();
        for (Element p : chain) {
            for (Element prop : children(child(p, "properties"), null)) properties.add(prop.getTagName());
        }
        for (String section : List.of("groupId", "artifactId", "version", "packaging", "parent", "name", "description", "url",
                "licenses", "developers", "scm", "organization", "dependencies", "dependencyManagement")) {
            Element e = child(pom, section);
            if (e == null) continue;
            Matcher m = PLACEHOLDER.matcher(e.getTextContent());
            while (m.find()) {
                String name = m.group(1);
                if (!properties.contains(name) && !name.startsWith("project.")) {
                    problem(artifactId, "pom's <" + section + "> has ${" + name + "}, which a consumer cannot resolve");
                }
            }
        }
        Element dependencies = child(pom, "dependencies");
        for (Element dep : children(dependencies, "dependency")) {
            String scope = text(dep, "scope").orElse("compile");
            String depArtifact = text(dep, "artifactId").orElse("");
            if (text(dep, "groupId").orElse("").equals(groupId) && (scope.equals("compile") || scope.equals("runtime"))
                    && !deployed.contains(depArtifact)) {
                problem(artifactId, "depends (" + scope + ") on " + depArtifact + ", which is not deployed");
            }
        }
    }

    private void problem(String artifactId, String what) {
        problems.add("check-publishable: " + artifactId + ": " + what);
    }

    private static Element parse(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = Files.newInputStream(pom)) {
            Document doc = f.newDocumentBuilder().parse(in);
            return doc.getDocumentElement();
        }
    }

    /** The trimmed, non-empty text at a slash-separated path of child elements. */
    private static Optional<String> text(Element e, String path) {
        for (String step : path.split("/")) {
            e = child(e, step);
            if (e == null) return Optional.empty();
        }
        String t = e.getTextContent().strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    private static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        return c.isEmpty() ? null : c.get(0);
    }

    /** Child elements of {@code e} named {@code name} (null: all). */
    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        if (e == null) return out;
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && (name == null || c.getTagName().equals(name))) out.add(c);
        }
        return out;
    }
}
