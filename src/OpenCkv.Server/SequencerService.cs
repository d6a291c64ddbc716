using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCkv.Directory.Sequencing;

namespace OpenCkv.Server;

/// <summary>Runs the sequencer for the host's lifetime; on shutdown the entry being built is finished first.</summary>
internal sealed class SequencerService(Sequencer sequencer, ILogger<SequencerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await sequencer.RunAsync(stoppingToken).ConfigureAwait(false);
        if (sequencer.Fault is { } fault)
        {
            ServerLog.SequencerFailed(logger, fault);
        }
        else
        {
            ServerLog.SequencerStopped(logger, sequencer.EntriesAppended);
        }
    }
}
