package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void valuesOfSecretKeysAreMaskedInEveryArgumentForm() {
        assertThat(Secrets.mask("Host 400000 --db-password=hunter2 --user=bob"))
                .isEqualTo("Host 400000 --db-password=****** --user=bob");
        assertThat(Secrets.mask("Main -Dapi.token=abc123 -Dx.secret=s3cr3t"))
                .isEqualTo("Main -Dapi.token=****** -Dx.secret=******");
        assertThat(Secrets.mask("Main spring.datasource.password=pw -apiKey=k1 --AUTH=basic:xyz --client-credentials-file=/etc/c"))
                .isEqualTo("Main spring.datasource.password=****** -apiKey=****** --AUTH=****** --client-credentials-file=******");
        assertThat(Secrets.mask("Main --passwd=a --db-pwd=b --gpg-passphrase=c --aws.access.key=d"))
                .isEqualTo("Main --passwd=****** --db-pwd=****** --gpg-passphrase=****** --aws.access.key=******");
    }

    @Test
    void aSecretFlagWithoutEqualsSignMasksTheNextArgument() {
        assertThat(Secrets.mask("app.jar --password hunter2 --user bob")).isEqualTo("app.jar --password ****** --user bob");
        assertThat(Secrets.mask("app.jar --token -starts-with-dash --verbose")).isEqualTo("app.jar --token ****** --verbose");
        assertThat(Secrets.mask("app.jar --verbose --token")).as("nothing follows").isEqualTo("app.jar --verbose --token");
    }

    @Test
    void aMaskedValueTakesTheWordsAfterItUpToTheNextDashArgument() {
        // the one argument "--password=two words" and the two "--password=two" "words" look alike in sun.java.command
        assertThat(Secrets.mask("Main --password=two words here --user=bob")).isEqualTo("Main --password=****** --user=bob");
        assertThat(Secrets.mask("Main --password two words")).isEqualTo("Main --password ******");
    }

    @Test
    void thePasswordOfAUrlIsMaskedAndItsUserAndHostStay() {
        assertThat(Secrets.mask("Main --db=jdbc:postgresql://app:pa55w0rd@db.local:5432/orders --user=bob"))
                .isEqualTo("Main --db=jdbc:postgresql://app:******@db.local:5432/orders --user=bob");
        assertThat(Secrets.mask("Main https://u:p@host/x amqp://guest:guest@mq"))
                .isEqualTo("Main https://u:******@host/x amqp://guest:******@mq");
        assertThat(Secrets.mask("Main https://host:8443/a@b https://user@host/")).as("a port, or a user without password")
                .isEqualTo("Main https://host:8443/a@b https://user@host/");
    }

    @Test
    void ordinaryArgumentsAreLeftAlone() {
        String ordinary = "com.acme.Main 400000 --user=bob -Dfile.encoding=UTF-8 --tokenizer=bert --keySize=256"
                + " -Djavax.net.ssl.keyStore=/etc/ks.p12 --secrets-dir=/run/s --verbose  two-spaces= x=";
        assertThat(Secrets.mask(ordinary)).isEqualTo(ordinary);
        assertThat(Secrets.mask("")).isEmpty();
        assertThat(Secrets.mask(null)).isNull();
        assertThat(Secrets.mask("Main --password= --user=bob")).as("an empty value hides nothing").isEqualTo("Main --password= --user=bob");
    }
}
