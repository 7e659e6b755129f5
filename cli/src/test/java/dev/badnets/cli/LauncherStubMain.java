package dev.badnets.cli;

/** The whole "application" of the stub jar that {@link LauncherTest} builds: prints its arguments and its collectors. */
public final class LauncherStubMain {

    private LauncherStubMain() {
    }

    public static void main(String[] args) {
        System.out.println("stub " + String.join(" ", args));
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            System.out.println("gc " + gc.getName());
        }
    }
}
