using System.Diagnostics;

namespace OpenCkv.Benchmarks;

/// <summary>The median of repeated single runs, after a warm-up: the statistic every macro measurement here reports.</summary>
internal static class Timing
{
    public static double MedianMicros(Action action, int runs, int warmup = 20)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var samples = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return samples[runs / 2];
    }
}
