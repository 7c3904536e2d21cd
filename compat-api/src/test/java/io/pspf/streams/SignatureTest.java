package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards PSPF's drop-in source compatibility with Kafka Streams: code written against a Kafka
 * Streams class must compile unchanged once its import is swapped to the PSPF namesake.
 *
 * <p>For every pair in {@link #PAIRS}, every public constructor and public method of the Kafka
 * class (declared on it or inherited from its non-{@code Object} superclasses) must exist on the
 * PSPF class as a public member with the same name, the same parameter and return types (erased
 * and generic), the same {@code static}-ness and the same varargs-ness. In every signature, a
 * swapped Kafka class (or a class nested in one, e.g. {@code Topology.AutoOffsetReset}) stands
 * for its PSPF namesake; all other Kafka types ({@code TopologyConfig}, {@code TopologyDescription},
 * {@code KStream}, ...) stay Kafka's. Type variables are compared by position, not by name.
 * Kafka members that mention Kafka internals (a package containing {@code .internals}) are
 * skipped, as are synthetic and bridge methods.
 *
 * <p>It also checks the class itself (public; not final unless Kafka's is; same type parameters;
 * same supertypes, e.g. {@code AutoCloseable} for try-with-resources; same public nested types)
 * and, in reverse, that the PSPF class declares no public method Kafka's lacks, apart from
 * {@code toString}, {@code equals} and {@code hashCode}.
 *
 * <p>Each pair is one test case, and a failure lists the whole gap of that class, one problem per
 * line, Kafka members printed with their Kafka signature.
 */
class SignatureTest {

    /** Kafka class → PSPF namesake. Add a line to guard another class. */
    private static final String[][] PAIRS = {
        {"org.apache.kafka.streams.StreamsBuilder", "io.pspf.streams.StreamsBuilder"},
        {"org.apache.kafka.streams.Topology", "io.pspf.streams.Topology"},
        {"org.apache.kafka.streams.TopologyTestDriver", "io.pspf.streams.TopologyTestDriver"},
        {"org.apache.kafka.streams.TestInputTopic", "io.pspf.streams.TestInputTopic"},
        {"org.apache.kafka.streams.TestOutputTopic", "io.pspf.streams.TestOutputTopic"},
        {"org.apache.kafka.streams.test.TestRecord", "io.pspf.streams.test.TestRecord"},
        {"org.apache.kafka.streams.state.Stores", "io.pspf.streams.state.Stores"},
        {"org.apache.kafka.streams.KafkaStreams", "io.pspf.streams.PspfStreams"},
    };

    /** Public methods PSPF may declare although Kafka's class does not. */
    private static final Set<String> ALLOWED_EXTRAS = Set.of("toString", "equals", "hashCode");

    /** Binary name of each swapped Kafka class → binary name of its PSPF namesake. */
    private static final Map<String, String> SWAPS = Arrays.stream(PAIRS)
            .collect(Collectors.toMap(p -> p[0], p -> p[1], (a, b) -> a, LinkedHashMap::new));

    /** Kafka-side names: swapped classes (and classes nested in them) become PSPF's. */
    private static final Signatures KAFKA_AS_PSPF = new Signatures(SignatureTest::pspfName);

    /** PSPF-side names: as they are. */
    private static final Signatures AS_IS = new Signatures(Class::getName);

    static Stream<Arguments> pairs() {
        return Arrays.stream(PAIRS).map(p -> Arguments.of(p[0], p[1]));
    }

    @ParameterizedTest(name = "{1} mirrors {0}")
    @MethodSource("pairs")
    void pspfClassMirrorsKafkaPublicApi(String kafkaName, String pspfName) {
        Class<?> kafka = load(kafkaName);
        Class<?> pspf;
        try {
            pspf = Class.forName(pspfName, false, SignatureTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            fail(pspfName + " does not exist; it must mirror " + kafkaName);
            return;
        }

        List<String> problems = new ArrayList<>();
        problems.addAll(classProblems(kafka, pspf));
        problems.addAll(memberProblems(publicConstructors(kafka), publicConstructors(pspf)));
        problems.addAll(memberProblems(publicMethods(kafka), publicMethodsIncludingInherited(pspf)));
        problems.addAll(extraMethods(kafka, pspf));

        if (!problems.isEmpty()) {
            fail(pspfName + " does not mirror " + kafkaName
                    + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    // ---------------------------------------------------------------- the class itself

    private static List<String> classProblems(Class<?> kafka, Class<?> pspf) {
        List<String> problems = new ArrayList<>();
        if (!Modifier.isPublic(pspf.getModifiers())) {
            problems.add("CLASS     is not public");
        }
        if (Modifier.isFinal(pspf.getModifiers()) && !Modifier.isFinal(kafka.getModifiers())) {
            problems.add("CLASS     is final, Kafka's is not");
        }
        String kafkaTypeParams = KAFKA_AS_PSPF.typeParameters(kafka.getTypeParameters());
        String pspfTypeParams = AS_IS.typeParameters(pspf.getTypeParameters());
        if (!kafkaTypeParams.equals(pspfTypeParams)) {
            problems.add("CLASS     type parameters " + Signatures.ORIGINAL.typeParameters(pspf.getTypeParameters())
                    + " differ from Kafka's " + Signatures.ORIGINAL.typeParameters(kafka.getTypeParameters()));
        }
        Set<String> pspfSupertypes = supertypeNames(pspf, Class::getName);
        for (String supertype : supertypeNames(kafka, SignatureTest::pspfName)) {
            if (!pspfSupertypes.contains(supertype)) {
                problems.add("CLASS     is not a " + supertype);
            }
        }
        Set<String> pspfNested = Arrays.stream(pspf.getClasses())
                .map(Class::getSimpleName).collect(Collectors.toSet());
        for (Class<?> nested : kafka.getClasses()) {
            if (!pspfNested.contains(nested.getSimpleName())) {
                problems.add("MISSING   nested type " + nested.getName());
            }
        }
        return problems;
    }

    /** Names of all superclasses (but Object) and all interfaces, transitively. */
    private static Set<String> supertypeNames(Class<?> type, Function<Class<?>, String> naming) {
        Set<String> names = new TreeSet<>();
        List<Class<?>> todo = new ArrayList<>(List.of(type));
        while (!todo.isEmpty()) {
            Class<?> c = todo.remove(todo.size() - 1);
            if (c != type && c != Object.class) {
                names.add(naming.apply(c));
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(List.of(c.getInterfaces()));
        }
        return names;
    }

    // ---------------------------------------------------------------- Kafka → PSPF

    /**
     * Each Kafka member must have a PSPF counterpart with the same name and erased parameter types
     * (MISSING otherwise) that also agrees on return type, generic signature, static and varargs
     * (MISMATCH otherwise).
     */
    private static List<String> memberProblems(
            List<? extends Executable> kafkaMembers, List<? extends Executable> pspfMembers) {
        Map<String, Executable> pspfByKey = new LinkedHashMap<>();
        for (Executable m : pspfMembers) {
            pspfByKey.putIfAbsent(AS_IS.erasedKey(m), m);
        }
        Set<String> missing = new TreeSet<>();
        Set<String> mismatched = new TreeSet<>();
        for (Executable kafkaMember : kafkaMembers) {
            if (mentionsKafkaInternals(kafkaMember)) {
                continue;
            }
            Executable pspfMember = pspfByKey.get(KAFKA_AS_PSPF.erasedKey(kafkaMember));
            if (pspfMember == null) {
                missing.add("MISSING   " + kafkaMember.toGenericString());
                continue;
            }
            List<String> differences = new ArrayList<>();
            if (Modifier.isStatic(kafkaMember.getModifiers()) != Modifier.isStatic(pspfMember.getModifiers())) {
                differences.add("static");
            }
            if (kafkaMember.isVarArgs() != pspfMember.isVarArgs()) {
                differences.add("varargs");
            }
            if (kafkaMember instanceof Method kafkaMethod && pspfMember instanceof Method pspfMethod
                    && !KAFKA_AS_PSPF.render(kafkaMethod.getReturnType()).equals(AS_IS.render(pspfMethod.getReturnType()))) {
                differences.add("erased return type");
            }
            if (!KAFKA_AS_PSPF.canonical(kafkaMember).equals(AS_IS.canonical(pspfMember))) {
                differences.add("generic signature");
            }
            if (!differences.isEmpty()) {
                mismatched.add("MISMATCH  " + kafkaMember.toGenericString()
                        + "   <-- differs in " + String.join(", ", differences)
                        + "; PSPF has: " + pspfMember.toGenericString());
            }
        }
        List<String> problems = new ArrayList<>(missing);
        problems.addAll(mismatched);
        return problems;
    }

    private static boolean mentionsKafkaInternals(Executable member) {
        List<Type> types = new ArrayList<>();
        types.addAll(List.of(member.getGenericParameterTypes()));
        types.addAll(List.of(member.getParameterTypes()));
        types.addAll(List.of(member.getGenericExceptionTypes()));
        for (TypeVariable<?> tv : member.getTypeParameters()) {
            types.addAll(List.of(tv.getBounds()));
        }
        if (member instanceof Method method) {
            types.add(method.getGenericReturnType());
            types.add(method.getReturnType());
        }
        return types.stream().anyMatch(SignatureTest::mentionsKafkaInternals);
    }

    private static boolean mentionsKafkaInternals(Type type) {
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            return c.getName().startsWith("org.apache.kafka.") && c.getPackageName().contains(".internals");
        }
        if (type instanceof ParameterizedType p) {
            return mentionsKafkaInternals(p.getRawType())
                    || Arrays.stream(p.getActualTypeArguments()).anyMatch(SignatureTest::mentionsKafkaInternals);
        }
        if (type instanceof WildcardType w) {
            return Stream.concat(Arrays.stream(w.getUpperBounds()), Arrays.stream(w.getLowerBounds()))
                    .anyMatch(SignatureTest::mentionsKafkaInternals);
        }
        if (type instanceof GenericArrayType a) {
            return mentionsKafkaInternals(a.getGenericComponentType());
        }
        return false; // type variables: their bounds are checked where they are declared
    }

    // ---------------------------------------------------------------- PSPF → Kafka

    /** Public methods the PSPF class (or a non-Object superclass) declares but Kafka's class lacks. */
    private static List<String> extraMethods(Class<?> kafka, Class<?> pspf) {
        Set<String> kafkaKeys = Arrays.stream(kafka.getMethods())
                .map(KAFKA_AS_PSPF::erasedKey)
                .collect(Collectors.toSet());
        return publicMethods(pspf).stream()
                .filter(m -> !ALLOWED_EXTRAS.contains(m.getName()))
                .filter(m -> !kafkaKeys.contains(AS_IS.erasedKey(m)))
                .map(m -> "EXTRA     " + m.toGenericString())
                .sorted()
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- member collection

    private static List<Constructor<?>> publicConstructors(Class<?> type) {
        return Arrays.stream(type.getConstructors())
                .filter(c -> !c.isSynthetic())
                .collect(Collectors.toList());
    }

    /** Public, non-synthetic methods declared on {@code type} or its superclasses but Object; overrides once. */
    private static List<Method> publicMethods(Class<?> type) {
        Map<String, Method> byKey = new LinkedHashMap<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    byKey.putIfAbsent(AS_IS.erasedKey(m), m);
                }
            }
        }
        return new ArrayList<>(byKey.values());
    }

    /** Everything callable on a PSPF instance: also methods from Object and interface defaults. */
    private static List<Method> publicMethodsIncludingInherited(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> !m.isSynthetic() && !m.isBridge())
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- naming

    /** The PSPF binary name standing for {@code type}: swapped (or nested in a swapped class) or as is. */
    private static String pspfName(Class<?> type) {
        String name = type.getName();
        for (Map.Entry<String, String> swap : SWAPS.entrySet()) {
            if (name.equals(swap.getKey()) || name.startsWith(swap.getKey() + "$")) {
                return swap.getValue() + name.substring(swap.getKey().length());
            }
        }
        return name;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, SignatureTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Kafka class " + name + " is not on the test classpath", e);
        }
    }

    /**
     * Renders types and signatures with a given naming of classes. Type variables are rendered by
     * position ({@code C0} for a class's first type parameter, {@code M0} for a method's or
     * constructor's), so renaming {@code K} to {@code KIn} is not a difference.
     */
    private static final class Signatures {

        /** Kafka names and type-variable names as written; for messages only. */
        static final Signatures ORIGINAL = new Signatures(Class::getName, false);

        private final Function<Class<?>, String> naming;
        private final boolean positionalTypeVariables;

        Signatures(Function<Class<?>, String> naming) {
            this(naming, true);
        }

        private Signatures(Function<Class<?>, String> naming, boolean positionalTypeVariables) {
            this.naming = naming;
            this.positionalTypeVariables = positionalTypeVariables;
        }

        /** Name plus erased parameter types: what overload resolution sees. */
        String erasedKey(Executable member) {
            String name = member instanceof Constructor ? "<init>" : member.getName();
            return name + Arrays.stream(member.getParameterTypes())
                    .map(this::render)
                    .collect(Collectors.joining(",", "(", ")"));
        }

        /**
         * {@code <type params> returnType name(generic params)}; modifiers, varargs and throws are
         * left out (static and varargs are compared on their own).
         */
        String canonical(Executable member) {
            String head = member instanceof Method method
                    ? render(method.getGenericReturnType()) + " " + method.getName()
                    : "<init>";
            return typeParameters(member.getTypeParameters()) + " " + head
                    + Arrays.stream(member.getGenericParameterTypes())
                            .map(this::render)
                            .collect(Collectors.joining(", ", "(", ")"));
        }

        String typeParameters(TypeVariable<?>[] typeParameters) {
            if (typeParameters.length == 0) {
                return "";
            }
            return Arrays.stream(typeParameters).map(tv -> {
                List<Type> bounds = Arrays.stream(tv.getBounds())
                        .filter(b -> b != Object.class).collect(Collectors.toList());
                return bounds.isEmpty() ? render(tv) : render(tv) + " extends "
                        + bounds.stream().map(this::render).collect(Collectors.joining(" & "));
            }).collect(Collectors.joining(", ", "<", ">"));
        }

        String render(Type type) {
            if (type instanceof Class<?> c) {
                return c.isArray() ? render(c.getComponentType()) + "[]" : naming.apply(c);
            }
            if (type instanceof ParameterizedType p) {
                Class<?> raw = (Class<?>) p.getRawType();
                String head = p.getOwnerType() instanceof ParameterizedType
                        ? render(p.getOwnerType()) + "$" + raw.getSimpleName()
                        : render(raw);
                return head + Arrays.stream(p.getActualTypeArguments())
                        .map(this::render)
                        .collect(Collectors.joining(", ", "<", ">"));
            }
            if (type instanceof WildcardType w) {
                if (w.getLowerBounds().length > 0) {
                    return "? super " + render(w.getLowerBounds()[0]);
                }
                Type upper = w.getUpperBounds()[0];
                return upper == Object.class ? "?" : "? extends " + render(upper);
            }
            if (type instanceof GenericArrayType a) {
                return render(a.getGenericComponentType()) + "[]";
            }
            if (type instanceof TypeVariable<?> tv) {
                if (!positionalTypeVariables) {
                    return tv.getName();
                }
                List<?> siblings = List.of(tv.getGenericDeclaration().getTypeParameters());
                return (tv.getGenericDeclaration() instanceof Class ? "C" : "M") + siblings.indexOf(tv);
            }
            throw new IllegalArgumentException("unexpected type " + type);
        }
    }
}
