package dev.threadleak.corpus;

import java.util.Properties;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/** Quartz: a scheduler per job runner, started and never shut down, against one scheduler for the program. */
public final class QuartzScheduler {
    /** The job: nothing to do. */
    public static final class Noop implements Job {
        @Override
        public void execute(JobExecutionContext context) {
        }
    }

    public static void main(String[] args) throws Exception {
        Scheduler shared = newScheduler("shared");
        Calls.run(args, n -> runJob(newScheduler("runner-" + n), n), n -> runJob(shared, n));
    }

    private static Scheduler newScheduler(String name) throws Exception {
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", name);
        props.setProperty("org.quartz.threadPool.threadCount", "2");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(props).getScheduler(); // LEAK: a scheduler and its worker threads per runner
        scheduler.start();
        return scheduler;
    }

    private static void runJob(Scheduler scheduler, int n) throws Exception {
        scheduler.scheduleJob(JobBuilder.newJob(Noop.class).withIdentity("job-" + n).build(),
                TriggerBuilder.newTrigger().startNow().build());
    }
}
