package dev.threadleak.agent.prove;

import dev.threadleak.names.SharedNames;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A heap dump in HotSpot's HPROF format ({@code JAVA PROFILE 1.0.2}), indexed to follow references: every object's id and
 * where its record is in the file (16 bytes an object, sorted by id), the classes' field layouts, and the GC roots. Objects
 * are read back from the file when followed, never all held at once: the index, not the heap, is what it costs.
 */
final class HprofFile implements AutoCloseable {
    /** Root kinds, as HPROF tags them. */
    static final int ROOT_UNKNOWN = 0xFF, ROOT_JNI_GLOBAL = 0x01, ROOT_JNI_LOCAL = 0x02, ROOT_JAVA_FRAME = 0x03, ROOT_NATIVE_STACK = 0x04,
            ROOT_STICKY_CLASS = 0x05, ROOT_THREAD_BLOCK = 0x06, ROOT_MONITOR_USED = 0x07, ROOT_THREAD_OBJECT = 0x08;
    private static final int CLASS_DUMP = 0x20, INSTANCE_DUMP = 0x21, OBJ_ARRAY_DUMP = 0x22, PRIM_ARRAY_DUMP = 0x23;
    private static final int UTF8 = 0x01, LOAD_CLASS = 0x02, FRAME = 0x04, TRACE = 0x05, HEAP_DUMP = 0x0C, HEAP_DUMP_SEGMENT = 0x1C;
    /** Basic types, as HPROF numbers them. */
    static final int OBJECT = 2, BOOLEAN = 4, CHAR = 5, FLOAT = 6, DOUBLE = 7, BYTE = 8, SHORT = 9, INT = 10, LONG = 11;

    /**
     * A GC root: its kind, the object it holds, the thread whose stack or object it is (0: none), and for a stack's
     * reference the frame that holds it (0: the innermost; -1: none said).
     */
    record Root(int kind, long id, int threadSerial, int frame) {
        Root(int kind, long id, int threadSerial) {
            this(kind, id, threadSerial, -1);
        }
    }

    /** A class: its superclass, the names and types of the fields its instances declare, and what its statics hold. */
    static final class ClassDump {
        final long superId, loaderId;
        final long[] fieldNames, staticRefs;
        final byte[] fieldTypes;
        /** One of threadleak's own classes ({@link #threadleakClass}). */
        boolean threadleak;
        /** The index of a field this class declares that is never followed (a JDK list of all threads), or -1. */
        int unfollowed = -1;

        ClassDump(long superId, long loaderId, long[] fieldNames, byte[] fieldTypes, long[] staticRefs) {
            this.superId = superId;
            this.loaderId = loaderId;
            this.fieldNames = fieldNames;
            this.fieldTypes = fieldTypes;
            this.staticRefs = staticRefs;
        }
    }

    /**
     * The JDK's lists of every thread, by class and field (an instance's or a static): not followed, as the threads
     * themselves are not roots of the proof. Code that reaches them reaches every thread alike (to interrupt one, it must
     * pick it): they say nothing about who can wake a given one. JDK 17: a thread group's array of threads; JDK 21+: the
     * root container's set of virtual threads and a shared container's.
     */
    private static final Map<String, String> THREAD_LISTS = Map.of("java.lang.ThreadGroup", "threads",
            "jdk.internal.vm.ThreadContainers$RootContainer$TrackingRootContainer", "VTHREADS",
            "jdk.internal.vm.SharedThreadContainer", "virtualThreads");

    /** The agent's packages: its classes, never the application's. */
    static final String AGENT_PACKAGE = "dev.threadleak.agent.";
    /** Bytes a mapping covers: 1 GiB (a mapped buffer's index is an int). */
    private static final int CHUNK_BITS = 30;
    private static final long CHUNK = 1L << CHUNK_BITS;
    private final FileChannel channel;
    private final MappedByteBuffer[] chunks;
    private final long size;
    final int idSize;
    /** When the dump was written, epoch ms (its header's time stamp). */
    final long takenAtMs;
    private final Map<Long, String> strings = new HashMap<>();
    private final Map<Long, Long> classNameIds = new HashMap<>();
    private final Map<Integer, Long> classBySerial = new HashMap<>();
    /** Stack frames by id: method name id, source file id, class serial, line. */
    private final Map<Long, long[]> frames = new HashMap<>();
    /** Stack traces by serial: the thread serial, then frame ids, innermost first. */
    private final Map<Integer, long[]> traces = new HashMap<>();
    /** The stack trace serial of each thread object root, by thread serial. */
    private final Map<Integer, Integer> threadTraces = new HashMap<>();
    private final Map<Long, ClassDump> classes = new HashMap<>();
    private final List<Root> roots = new ArrayList<>();
    private final ObjectIndex index;
    /** {@code java.lang.VirtualThread}'s class id (0: not looked up yet; -1: none), and its instances. */
    private long virtualThreadClass;
    private final List<Long> virtualThreads = new ArrayList<>();
    private final Map<String, Long> virtualThreadStates = new HashMap<>();
    /** {@code java.lang.ref.Reference}'s class id and the index of its {@code referent} among its fields (-1: none seen). */
    private long referenceClass = -1;
    private int referentField = -1;

    private HprofFile(FileChannel channel, MappedByteBuffer[] chunks, long size, int idSize, long takenAtMs, ObjectIndex index) {
        this.channel = channel;
        this.takenAtMs = takenAtMs;
        this.chunks = chunks;
        this.size = size;
        this.idSize = idSize;
        this.index = index;
    }

    /** Reads and indexes {@code file}; an {@link IllegalArgumentException} says, in one line, why it is no HPROF heap dump. */
    static HprofFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            MappedByteBuffer[] chunks = map(channel);
            Input in = new Input(chunks, channel.size(), 0);
            StringBuilder header = new StringBuilder();
            for (int b = in.u1(); b != 0; b = in.u1()) {
                header.append((char) b);
                if (header.length() > 32) break;
            }
            if (!header.toString().startsWith("JAVA PROFILE 1.0")) throw new IllegalArgumentException("not an HPROF heap dump (it starts with no 'JAVA PROFILE 1.0' header)");
            int idSize = in.u4();
            if (idSize != 4 && idSize != 8) throw new IllegalArgumentException("identifier size " + idSize + " is neither 4 nor 8");
            long takenAtMs = in.value(8);
            HprofFile f = new HprofFile(channel, chunks, channel.size(), idSize, takenAtMs, ObjectIndex.create(file));
            try {
                f.index(in);
            } catch (IOException | RuntimeException e) {
                f.index.close();
                throw e;
            }
            return f;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static MappedByteBuffer[] map(FileChannel channel) throws IOException {
        long size = channel.size();
        MappedByteBuffer[] out = new MappedByteBuffer[(int) ((size + CHUNK - 1) >>> CHUNK_BITS)];
        for (int i = 0; i < out.length; i++) {
            long at = (long) i << CHUNK_BITS;
            out[i] = channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(CHUNK, size - at));
        }
        return out;
    }

    private void index(Input in) throws IOException {
        while (in.position() < size) {
            int tag = in.u1();
            in.skip(4);
            long length = in.u4() & 0xFFFFFFFFL;
            long end = in.position() + length;
            if (end > size) throw new IllegalArgumentException("truncated (a record of " + length + " bytes runs past the end of the file)");
            switch (tag) {
                case UTF8 -> {
                    long id = in.id(idSize);
                    strings.put(id, new String(in.bytes((int) (length - idSize)), StandardCharsets.UTF_8));
                }
                case LOAD_CLASS -> {
                    int serial = in.u4();
                    long classId = in.id(idSize);
                    in.skip(4);
                    classNameIds.put(classId, in.id(idSize));
                    classBySerial.put(serial, classId);
                }
                case FRAME -> {
                    long id = in.id(idSize), method = in.id(idSize);
                    in.skip(idSize);
                    long source = in.id(idSize);
                    frames.put(id, new long[] {method, source, in.u4(), in.u4()});
                }
                case TRACE -> {
                    int serial = in.u4(), thread = in.u4(), n = in.u4();
                    long[] t = new long[n + 1];
                    t[0] = thread;
                    for (int k = 1; k <= n; k++) t[k] = in.id(idSize);
                    traces.put(serial, t);
                }
                case HEAP_DUMP, HEAP_DUMP_SEGMENT -> {
                    if (virtualThreadClass == 0) virtualThreadClass = classNamed("java/lang/VirtualThread"); // classes are loaded before the heap is dumped
                    heapDump(in, end);
                }
                default -> in.skip(length);
            }
            if (in.position() != end) throw new IllegalArgumentException("malformed record (tag " + tag + ") at offset " + (end - length - 9));
        }
        index.complete();
        for (Map.Entry<Long, ClassDump> c : classes.entrySet()) {
            String name = className(c.getKey());
            c.getValue().threadleak = name != null && (name.startsWith(AGENT_PACKAGE) || name.equals(SharedNames.HOOK_CLASS));
            String list = THREAD_LISTS.get(name);
            if (list != null) c.getValue().unfollowed = fieldIndex(c.getValue(), list);
            if ("java.lang.ref.Reference".equals(name)) {
                referenceClass = c.getKey();
                referentField = fieldIndex(c.getValue(), "referent");
            }
        }
    }

    /** The index of the field {@code name} among those {@code c} declares, or -1. */
    private int fieldIndex(ClassDump c, String name) {
        for (int f = 0; f < c.fieldNames.length; f++) {
            if (name.equals(strings.get(c.fieldNames[f]))) return f;
        }
        return -1;
    }

    /** The id of the class named {@code jvmName} ({@code java/lang/Thread}), or -1. */
    private long classNamed(String jvmName) {
        for (Map.Entry<Long, Long> c : classNameIds.entrySet()) {
            if (jvmName.equals(strings.get(c.getValue()))) return c.getKey();
        }
        return -1;
    }

    /** The {@code java.lang.VirtualThread} objects in the dump, alive or not. */
    List<Long> virtualThreads() {
        return virtualThreads;
    }

    boolean isVirtualThread(long id) throws IOException {
        return virtualThreadClass > 0 && classOf(id) == virtualThreadClass;
    }

    /** A value of {@code java.lang.VirtualThread}'s {@code state} by its constant's name ({@code PARKED}), or null. */
    Long virtualThreadState(String name) throws IOException {
        if (virtualThreadClass <= 0) return null;
        if (!virtualThreadStates.containsKey(name)) virtualThreadStates.put(name, staticValue(virtualThreadClass, name)); // asked per virtual thread
        return virtualThreadStates.get(name);
    }

    /**
     * The value of a class's static field by name (a number's bits, or a reference's id), read again from its record:
     * what a library numbers its states by ({@code VirtualThread.PARKED}, Netty's {@code ST_STARTED}); null when the class
     * or the field is not in the dump.
     */
    Long staticValue(long classId, String name) throws IOException {
        int i = indexOf(classId);
        if (i < 0) return null;
        Input in = new Input(chunks, size, index.offset(i));
        if (in.u1() != CLASS_DUMP) return null;
        in.skip(7L * idSize + 8); // its id, a serial, super, loader, signers, domain, two reserved ids; instance size
        int constants = in.u2();
        for (int k = 0; k < constants; k++) {
            in.skip(2);
            in.skip(size(in.u1()));
        }
        int statics = in.u2();
        for (int k = 0; k < statics; k++) {
            long field = in.id(idSize);
            int type = in.u1();
            if (name.equals(strings.get(field))) return type == OBJECT ? in.id(idSize) : in.value(size(type));
            in.skip(size(type));
        }
        return null;
    }

    /** The class of {@code id}, or the first of its superclasses, named {@code name} (dots: {@code io.netty.Foo}); 0 when none is. */
    long superclassNamed(long id, String name) throws IOException {
        for (long c = classOf(id); c != 0; ) {
            if (name.equals(className(c))) return c;
            ClassDump d = classes.get(c);
            c = d == null ? 0 : d.superId;
        }
        return 0;
    }

    /** True for threadleak's own classes (the agent's, and its hook class in {@code java.lang}). */
    boolean threadleakClass(long classId) {
        ClassDump c = classes.get(classId);
        return c != null && c.threadleak;
    }

    private void heapDump(Input in, long end) throws IOException {
        while (in.position() < end) {
            long at = in.position();
            int tag = in.u1();
            switch (tag) {
                case ROOT_UNKNOWN, ROOT_STICKY_CLASS, ROOT_MONITOR_USED -> roots.add(new Root(tag, in.id(idSize), 0));
                case ROOT_JNI_GLOBAL -> {
                    roots.add(new Root(tag, in.id(idSize), 0));
                    in.skip(idSize);
                }
                case ROOT_JNI_LOCAL, ROOT_JAVA_FRAME -> {
                    long id = in.id(idSize);
                    int thread = in.u4();
                    roots.add(new Root(tag, id, thread, in.u4()));
                }
                case ROOT_NATIVE_STACK, ROOT_THREAD_BLOCK -> {
                    long id = in.id(idSize);
                    roots.add(new Root(tag, id, in.u4()));
                }
                case ROOT_THREAD_OBJECT -> {
                    long id = in.id(idSize);
                    int thread = in.u4();
                    roots.add(new Root(tag, id, thread));
                    threadTraces.put(thread, in.u4());
                }
                case CLASS_DUMP -> classDump(in, at);
                case INSTANCE_DUMP -> {
                    long id = in.id(idSize);
                    index.add(id, at);
                    in.skip(4);
                    if (in.id(idSize) == virtualThreadClass) virtualThreads.add(id); // -1 when there is none: no id is
                    in.skip(in.u4() & 0xFFFFFFFFL);
                }
                case OBJ_ARRAY_DUMP -> {
                    index.add(in.id(idSize), at);
                    in.skip(4);
                    long n = in.u4() & 0xFFFFFFFFL;
                    in.skip(idSize + n * idSize);
                }
                case PRIM_ARRAY_DUMP -> {
                    index.add(in.id(idSize), at);
                    in.skip(4);
                    long n = in.u4() & 0xFFFFFFFFL;
                    in.skip(n * size(in.u1()));
                }
                default -> throw new IllegalArgumentException("unknown heap dump record " + tag + " at offset " + at);
            }
        }
    }

    private void classDump(Input in, long at) throws IOException {
        long id = in.id(idSize);
        index.add(id, at);
        in.skip(4);
        long superId = in.id(idSize), loader = in.id(idSize);
        in.skip(4L * idSize + 4); // signers, protection domain, two reserved; instance size
        int constants = in.u2();
        for (int i = 0; i < constants; i++) {
            in.skip(2);
            in.skip(size(in.u1()));
        }
        int statics = in.u2();
        List<Long> refs = new ArrayList<>();
        String unfollowed = THREAD_LISTS.get(className(id)); // classes are loaded before the heap is dumped: named here
        for (int i = 0; i < statics; i++) {
            long name = in.id(idSize);
            int type = in.u1();
            if (type == OBJECT) {
                long ref = in.id(idSize);
                if (ref != 0 && (unfollowed == null || !unfollowed.equals(strings.get(name)))) refs.add(ref);
            } else {
                in.skip(size(type));
            }
        }
        int fields = in.u2();
        long[] names = new long[fields];
        byte[] types = new byte[fields];
        for (int i = 0; i < fields; i++) {
            names[i] = in.id(idSize);
            types[i] = (byte) in.u1();
        }
        long[] staticRefs = new long[refs.size()];
        for (int i = 0; i < staticRefs.length; i++) staticRefs[i] = refs.get(i);
        classes.put(id, new ClassDump(superId, loader, names, types, staticRefs));
    }

    /** Objects in the dump (instances, arrays, classes). */
    int objects() {
        return index.count;
    }

    /** The index of object {@code id} (0 to {@link #objects()}), or -1 when the dump holds no such object. */
    int indexOf(long id) {
        return index.indexOf(id);
    }

    /** The id of the object at {@code index}. */
    long idAt(int i) {
        return index.id(i);
    }

    List<Root> roots() {
        return roots;
    }

    /** A class's name in the JVM's form ({@code java/lang/Thread}, dots here: {@code java.lang.Thread}), or null. */
    String className(long classId) {
        Long nameId = classNameIds.get(classId);
        String name = nameId == null ? null : strings.get(nameId);
        return name == null ? null : name.replace('/', '.');
    }

    /** The stack of thread {@code threadSerial} when the dump was taken, innermost first (empty when the dump has none). */
    List<dev.threadleak.agent.snapshot.Frame> stack(int threadSerial) {
        Integer serial = threadTraces.get(threadSerial);
        long[] trace = serial == null ? null : traces.get(serial);
        List<dev.threadleak.agent.snapshot.Frame> out = new ArrayList<>();
        if (trace == null) return out;
        for (int k = 1; k < trace.length; k++) {
            long[] f = frames.get(trace[k]);
            if (f == null) continue;
            Long cls = classBySerial.get((int) f[2]);
            String name = cls == null ? null : className(cls);
            int line = (int) f[3];
            out.add(new dev.threadleak.agent.snapshot.Frame(name == null ? "?" : name, strings.getOrDefault(f[0], "?"), strings.get(f[1]),
                    line == -3 ? -2 : line > 0 ? line : -1));
        }
        return out;
    }

    ClassDump classDump(long classId) {
        return classes.get(classId);
    }

    /** The class of object {@code id}, or 0 for an array or a class. */
    long classOf(long id) throws IOException {
        int i = indexOf(id);
        if (i < 0) return 0;
        Input in = new Input(chunks, size, index.offset(i));
        if (in.u1() != INSTANCE_DUMP) return 0;
        in.skip(idSize + 4);
        return in.id(idSize);
    }

    /**
     * Every reference object {@code id} holds (its fields, its elements, a class's statics and superclass), to {@code to}.
     * A weak reference of threadleak's own holds none here: the agent keeps the executors and threads it reports on through
     * them, and never shuts down, offers to or unparks anything of the application's, so what it holds can wake nothing.
     * Every other reference is followed, weak or not: the code that holds it could still wake what it reaches.
     */
    void references(long id, LongConsumer to) throws IOException {
        int i = indexOf(id);
        if (i >= 0) referencesAt(i, to);
    }

    /** As {@link #references}, of the object at index {@code i}. */
    void referencesAt(int i, LongConsumer to) throws IOException {
        Input in = new Input(chunks, size, index.offset(i));
        switch (in.u1()) {
            case INSTANCE_DUMP -> {
                in.skip(idSize + 4);
                long cls = in.id(idSize);
                in.skip(4);
                to.accept(cls);
                boolean agentsReference = threadleakClass(cls);
                long k = cls;
                for (ClassDump c = classes.get(k); c != null; k = c.superId, c = classes.get(k)) {
                    int skipped = agentsReference && k == referenceClass ? referentField : c.unfollowed;
                    for (int f = 0; f < c.fieldTypes.length; f++) {
                        int type = c.fieldTypes[f];
                        if (type == OBJECT) {
                            long ref = in.id(idSize);
                            if (ref != 0 && f != skipped) to.accept(ref);
                        } else {
                            in.skip(size(type));
                        }
                    }
                }
            }
            case OBJ_ARRAY_DUMP -> {
                in.skip(idSize + 4);
                long n = in.u4() & 0xFFFFFFFFL;
                to.accept(in.id(idSize));
                for (long k = 0; k < n; k++) {
                    long ref = in.id(idSize);
                    if (ref != 0) to.accept(ref);
                }
            }
            case CLASS_DUMP -> {
                ClassDump c = classes.get(index.id(i));
                if (c == null) return;
                if (c.superId != 0) to.accept(c.superId);
                if (c.loaderId != 0) to.accept(c.loaderId);
                for (long ref : c.staticRefs) to.accept(ref);
            }
            default -> { }
        }
    }

    /**
     * The value of an instance's field by name (the first declared, walking up from its class): a reference's id or a
     * number's bits; null when the object is no instance or has no such field.
     */
    Long field(long id, String name) throws IOException {
        int i = indexOf(id);
        if (i < 0) return null;
        Input in = new Input(chunks, size, index.offset(i));
        if (in.u1() != INSTANCE_DUMP) return null;
        in.skip(idSize + 4);
        long cls = in.id(idSize);
        in.skip(4);
        for (ClassDump c = classes.get(cls); c != null; c = classes.get(c.superId)) {
            for (int f = 0; f < c.fieldTypes.length; f++) {
                int type = c.fieldTypes[f];
                if (name.equals(strings.get(c.fieldNames[f]))) return type == OBJECT ? in.id(idSize) : in.value(size(type));
                in.skip(type == OBJECT ? idSize : size(type));
            }
        }
        return null;
    }

    /** The text of a {@code java.lang.String} object (JDK 9+: its {@code value} bytes and {@code coder}), or null. */
    String string(long id) throws IOException {
        Long value = field(id, "value"), coder = field(id, "coder");
        if (value == null || value == 0) return null;
        int i = indexOf(value);
        if (i < 0) return null;
        Input in = new Input(chunks, size, index.offset(i));
        if (in.u1() != PRIM_ARRAY_DUMP) return null;
        in.skip(idSize + 4);
        int n = in.u4();
        int type = in.u1();
        if (n < 0 || n > 1 << 20) return null;
        byte[] bytes = in.bytes(n * size(type));
        if (type == CHAR || (coder != null && coder == 1)) return new String(bytes, StandardCharsets.UTF_16BE);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    int size(int type) {
        return switch (type) {
            case OBJECT -> idSize;
            case BOOLEAN, BYTE -> 1;
            case CHAR, SHORT -> 2;
            case FLOAT, INT -> 4;
            case DOUBLE, LONG -> 8;
            default -> throw new IllegalArgumentException("unknown basic type " + type);
        };
    }

    @Override
    public void close() throws IOException {
        try {
            index.close();
        } finally {
            channel.close();
        }
    }

    /**
     * Every object's id and the offset of its record, 16 bytes an object, sorted by id, in a file of its own that is mapped,
     * not read: the index of a 4 GB heap of small objects takes gigabytes, held by the page cache (which the kernel may write
     * back and drop), not by this JVM's heap. The file is made beside the heap dump (where there is room for the dump there
     * is room for its index, a third of its size or less), else in the temporary directory, and it is deleted as it is
     * opened: nothing is left behind, even when the command is killed.
     */
    private static final class ObjectIndex implements AutoCloseable {
        private static final int ENTRY_BITS = 4, CHUNK_ENTRY_BITS = CHUNK_BITS - ENTRY_BITS;
        private static final int IN_CHUNK = (1 << CHUNK_ENTRY_BITS) - 1;
        private final FileChannel file;
        private final java.nio.ByteBuffer pending = java.nio.ByteBuffer.allocateDirect(1 << 20);
        private MappedByteBuffer[] entries;
        int count;

        private ObjectIndex(FileChannel file) {
            this.file = file;
        }

        static ObjectIndex create(Path heap) throws IOException {
            Path dir = heap.toAbsolutePath().getParent();
            try {
                return new ObjectIndex(open(java.nio.file.Files.createTempFile(dir, ".threadleak-index-", ".tmp")));
            } catch (IOException e) { // a directory this user may not write to
                return new ObjectIndex(open(java.nio.file.Files.createTempFile("threadleak-index-", ".tmp")));
            }
        }

        private static FileChannel open(Path path) throws IOException {
            try { // on Unix, DELETE_ON_CLOSE unlinks the file as it opens it; the open channel keeps it
                return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            } catch (IOException | RuntimeException e) {
                java.nio.file.Files.deleteIfExists(path);
                throw e;
            }
        }

        void add(long id, long at) throws IOException {
            if (count == Integer.MAX_VALUE) throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " objects");
            if (pending.remaining() < 16) flush();
            pending.putLong(id).putLong(at);
            count++;
        }

        private void flush() throws IOException {
            pending.flip();
            while (pending.hasRemaining()) file.write(pending);
            pending.clear();
        }

        /** Maps the file, and sorts it by id when it is not (HotSpot writes objects in address order within a segment, not across). */
        void complete() throws IOException {
            flush();
            long bytes = (long) count << ENTRY_BITS;
            entries = new MappedByteBuffer[(int) ((bytes + CHUNK - 1) >>> CHUNK_BITS)];
            for (int i = 0; i < entries.length; i++) {
                long at = (long) i << CHUNK_BITS;
                entries[i] = file.map(FileChannel.MapMode.READ_WRITE, at, Math.min(CHUNK, bytes - at));
            }
            for (int i = 1; i < count; i++) {
                if (id(i - 1) >= id(i)) {
                    quicksort(0, count - 1);
                    return;
                }
            }
        }

        long id(int i) {
            return entries[i >>> CHUNK_ENTRY_BITS].getLong((i & IN_CHUNK) << ENTRY_BITS);
        }

        long offset(int i) {
            return entries[i >>> CHUNK_ENTRY_BITS].getLong(((i & IN_CHUNK) << ENTRY_BITS) + 8);
        }

        int indexOf(long id) {
            int lo = 0, hi = count - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long at = id(mid);
                if (at < id) lo = mid + 1;
                else if (at > id) hi = mid - 1;
                else return mid;
            }
            return -1;
        }

        private void quicksort(int lo, int hi) {
            while (lo < hi) {
                long pivot = id((lo + hi) >>> 1);
                int i = lo, j = hi;
                while (i <= j) {
                    while (id(i) < pivot) i++;
                    while (id(j) > pivot) j--;
                    if (i <= j) swap(i++, j--);
                }
                if (j - lo < hi - i) {
                    quicksort(lo, j);
                    lo = i;
                } else {
                    quicksort(i, hi);
                    hi = j;
                }
            }
        }

        private void swap(int a, int b) {
            long id = id(a), off = offset(a);
            put(a, id(b), offset(b));
            put(b, id, off);
        }

        private void put(int i, long id, long offset) {
            MappedByteBuffer chunk = entries[i >>> CHUNK_ENTRY_BITS];
            int at = (i & IN_CHUNK) << ENTRY_BITS;
            chunk.putLong(at, id);
            chunk.putLong(at + 8, offset);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /**
     * Reads the file from a position, through its memory mapping (in chunks of {@link #CHUNK} bytes): random reads of the
     * objects a walk follows cost page faults, not a copy each, and no buffer is allocated per object.
     */
    private static final class Input {
        private final MappedByteBuffer[] chunks;
        private final long size;
        private long pos;

        Input(MappedByteBuffer[] chunks, long size, long at) {
            this.chunks = chunks;
            this.size = size;
            this.pos = at;
        }

        long position() {
            return pos;
        }

        int u1() {
            if (pos >= size) throw new IllegalArgumentException("truncated (the file ends inside a record)");
            long p = pos++;
            return chunks[(int) (p >>> CHUNK_BITS)].get((int) (p & (CHUNK - 1))) & 0xFF;
        }

        int u2() {
            return (u1() << 8) | u1();
        }

        int u4() {
            return (u1() << 24) | (u1() << 16) | (u1() << 8) | u1();
        }

        long id(int idSize) {
            return idSize == 8 ? value(8) : u4() & 0xFFFFFFFFL;
        }

        /** A big-endian signed value of 1, 2, 4 or 8 bytes. */
        long value(int bytes) {
            long v = 0;
            for (int i = 0; i < bytes; i++) v = (v << 8) | u1();
            int unused = 64 - 8 * bytes;
            return unused == 0 ? v : (v << unused) >> unused;
        }

        byte[] bytes(int n) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) out[i] = (byte) u1();
            return out;
        }

        void skip(long n) {
            pos += n;
        }
    }
}
