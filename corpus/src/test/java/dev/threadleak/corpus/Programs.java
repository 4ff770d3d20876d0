package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code -Dcorpus.programs=GrpcChannel,PoolRamp}: the programs to run, of both corpus ITs. Each IT runs the named
 * programs it knows (all of them when none is named); a name neither knows fails both, so a typo never passes as
 * an empty run.
 */
final class Programs {
    static List<String> selected(List<String> known) {
        String only = System.getProperty("corpus.programs", "");
        if (only.isBlank()) return known;
        List<String> named = List.of(only.split(","));
        List<String> all = new ArrayList<>(CorpusIT.PROGRAMS);
        all.addAll(HealthyCorpusIT.PROGRAMS);
        assertThat(all).as("-Dcorpus.programs: the programs of CorpusIT and HealthyCorpusIT").containsAll(named);
        return named.stream().filter(known::contains).toList();
    }

    private Programs() {
    }
}
