using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OpenCkv.Benchmarks;

/// <summary>
/// One configuration for every micro-benchmark: in-process (the machine has two cores; a child process per
/// benchmark only adds noise), a short job, and the median beside the mean because the machine is shared.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithLaunchCount(1));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        WithOptions(ConfigOptions.DisableLogFile);
    }
}
