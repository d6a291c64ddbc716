using System.Threading.Channels;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;

namespace OpenCkv.Directory.Sequencing;

/// <summary>Where one request's values landed: the entry and each value's version, in request order.</summary>
public sealed record PublishedBatch(ulong Position, IReadOnlyList<uint> Versions);

/// <summary>The sequencer stopped: after a failed commit nothing more is written until the server restarts.</summary>
public class SequencerStoppedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The log was handed over to a new log and takes no more changes (docs/ckv-protocol.md §9).</summary>
public sealed class LogRetiredException(string message) : SequencerStoppedException(message);

/// <summary>
/// This server does not write the log: another server sharing the database holds the sequencer lease (DESIGN §7).
/// Changes go to the server at <see cref="WriterAddress"/>, when it is known.
/// </summary>
public sealed class NotTheWriterException(string? writerAddress)
    : SequencerStoppedException(writerAddress is null
        ? "This server is a read replica and no server holds the sequencer lease right now; retry shortly."
        : $"This server is a read replica; changes go to the sequencer at {writerAddress}.")
{
    /// <summary>Where the lease holder takes changes, or null.</summary>
    public string? WriterAddress { get; } = writerAddress;
}

/// <summary>
/// The log's single writer (DESIGN §3): values wait in a queue; a batch closes once its first value has waited
/// <see cref="SequencerOptions.BatchInterval"/> since it was queued, or when <see cref="SequencerOptions.MaxBatch"/>
/// values are waiting, and the batch becomes one entry. A value that arrived while the previous entry was being
/// stored has spent its wait already, so under load entries follow each other without an idle window. A request learns its entry only after the store committed it, so an
/// acknowledged update is durable. When nothing was published for <see cref="SequencerOptions.HeartbeatInterval"/>
/// an empty entry keeps the rightmost timestamp fresh and distinguished entries appearing.
/// A failed commit stops the sequencer for good (the high-water mark may be one ahead of the store; a restart
/// re-checks it): every waiting request fails, and later ones are refused.
/// </summary>
public sealed class Sequencer
{
    private readonly TransparencyLog _log;
    private readonly SequencerOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Pending? _carried;
    private volatile Exception? _fault;
    private volatile bool _standby;
    private volatile string? _retired;

    /// <summary>
    /// A sequencer for <paramref name="log"/>; <see cref="RunAsync"/> does the work. On a database several servers
    /// share, it starts in <paramref name="standby"/>: values are refused (<see cref="NotTheWriterException"/>) until
    /// this server holds the lease and runs it.
    /// </summary>
    public Sequencer(TransparencyLog log, SequencerOptions options, TimeProvider time, bool standby = false)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.MaxBatch < 1 || options.BatchInterval < TimeSpan.Zero || options.HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("A batch holds at least one value; intervals are positive.", nameof(options));
        }

        _log = log;
        _time = time;
        _standby = standby;

        // An audited entry holds at most 255 new versions (KT §15.2).
        _options = log.Configuration.Mode == DeploymentMode.ThirdPartyAuditing
            ? options with { MaxBatch = Math.Min(options.MaxBatch, PrefixProof.MaxResults) }
            : options;
    }

    /// <summary>Why the sequencer stopped, or null while it runs.</summary>
    public Exception? Fault => _fault;

    /// <summary>Whether this sequencer takes values: it is not standing by for the lease, and has not stopped.</summary>
    public bool IsWriter => !_standby && _fault is null && _retired is null;

    /// <summary>Why the log takes no more changes (it was handed over), or null.</summary>
    public string? Retired => _retired;

    /// <summary>
    /// Stops taking values for good, before <see cref="RunAsync"/> is ever called: the log was handed over, and its
    /// final head must stay its final head (no heartbeat either).
    /// </summary>
    public void Retire(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        _retired = reason;
        _standby = true;
    }

    /// <summary>Where changes go while this server stands by (the lease holder's address), for the refusal.</summary>
    public Func<string?> WriterAddress { get; set; } = static () => null;

    /// <summary>
    /// DEVELOPMENT ONLY — while this answers true the sequencer appends no heartbeat, so an idle log's newest
    /// timestamp ages past max_behind (the malicious-server scenario <c>stale-head</c>). Changes still get entries.
    /// </summary>
    public Func<bool> HeartbeatsPaused { get; set; } = static () => false;

    /// <summary>
    /// DEVELOPMENT ONLY — told, on the sequencer's thread, of each entry once it is committed and signed: its
    /// position, timestamp and values in order. The malicious-server scenario <c>split-view</c> mirrors them.
    /// </summary>
    public Action<ulong, ulong, IReadOnlyList<(byte[] Label, byte[] Value)>>? Appended { get; set; }

    /// <summary>Entries appended since start, heartbeats included.</summary>
    public long EntriesAppended { get; private set; }

    /// <summary>Label-versions published since start.</summary>
    public long VersionsPublished { get; private set; }

    /// <summary>
    /// How long the sequencer has spent building and storing entries since start. Against the wall clock it says how
    /// busy the single writer is: near one second per second, publishing waits for the writer, not for requests.
    /// </summary>
    public TimeSpan AppendTime => _time.GetElapsedTime(0, Interlocked.Read(ref _appendTicks));

    private long _appendTicks;

    /// <summary>
    /// Queues the values (label, value) for the next entry, all together, and completes once that entry is
    /// committed.
    /// </summary>
    /// <exception cref="SequencerStoppedException">The sequencer stopped before the entry was committed.</exception>
    public Task<PublishedBatch> PublishAsync(IReadOnlyList<(byte[] Label, byte[] Value)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("Nothing to publish.", nameof(values));
        }

        if (values.Any(v => v.Label is null || v.Value is null || v.Label.Length > VrfInput.MaxLabelLength))
        {
            throw new ArgumentException("Every value needs a label of at most 255 bytes.", nameof(values));
        }

        if (_log.Configuration.Mode == DeploymentMode.ThirdPartyAuditing && values.Count > PrefixProof.MaxResults)
        {
            throw new ArgumentException($"An audited entry holds at most {PrefixProof.MaxResults} new versions.", nameof(values));
        }

        if (_fault is { } fault)
        {
            throw new SequencerStoppedException("The log's sequencer stopped after a failed commit.", fault);
        }

        if (_retired is { } retired)
        {
            throw new LogRetiredException(retired);
        }

        if (_standby)
        {
            throw new NotTheWriterException(WriterAddress());
        }

        var pending = new Pending(values, new TaskCompletionSource<PublishedBatch>(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new SequencerStoppedException("The log's sequencer has shut down.");
        }

        return pending.Done.Task;
    }

    /// <summary>
    /// Runs until <paramref name="stopping"/> is cancelled. A batch already taken from the queue is finished as an
    /// entry before it returns (graceful shutdown); requests still queued then fail.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        _standby = false;
        try
        {
            while (!stopping.IsCancellationRequested && _fault is null)
            {
                List<Pending> batch = await NextBatchAsync(stopping).ConfigureAwait(false);
                Append(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // shutting down between entries
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _fault = e; // anything unforeseen stops writes loudly rather than silently
        }
        finally
        {
            _queue.Writer.TryComplete();
            var stopped = new SequencerStoppedException("The log's sequencer has shut down.", _fault);
            if (_carried is { } carried)
            {
                carried.Done.TrySetException(stopped);
            }

            while (_queue.Reader.TryRead(out Pending? left))
            {
                left.Done.TrySetException(stopped);
            }
        }
    }

    /// <summary>
    /// Waits for the first value or the heartbeat deadline, then gathers values until the batch interval ends or
    /// the batch is full. An empty list means a heartbeat is due.
    /// </summary>
    private async Task<List<Pending>> NextBatchAsync(CancellationToken stopping)
    {
        var batch = new List<Pending>();
        int count = 0;
        if (_carried is { } carried)
        {
            batch.Add(carried);
            count = carried.Values.Count;
            _carried = null;
        }
        else
        {
            while (true)
            {
                using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                bool paused = HeartbeatsPaused();
                heartbeat.CancelAfter(paused ? TimeSpan.FromMilliseconds(250) : HeartbeatDelay());
                try
                {
                    if (!await _queue.Reader.WaitToReadAsync(heartbeat.Token).ConfigureAwait(false))
                    {
                        return batch;
                    }

                    break;
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    if (!paused)
                    {
                        return batch; // heartbeat due
                    }
                }
            }
        }

        using var window = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        bool open = true;
        while (count < _options.MaxBatch)
        {
            while (count < _options.MaxBatch && _queue.Reader.TryRead(out Pending? next))
            {
                if (count > 0 && count + next.Values.Count > _options.MaxBatch)
                {
                    _carried = next; // never split a request; it opens the next entry
                    return batch;
                }

                batch.Add(next);
                count += next.Values.Count;
            }

            if (count >= _options.MaxBatch)
            {
                break;
            }

            if (open && batch.Count > 0)
            {
                // The window runs from the moment the batch's first value was queued.
                TimeSpan left = _options.BatchInterval - _time.GetElapsedTime(batch[0].QueuedAt);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                window.CancelAfter(left);
                open = false;
            }

            try
            {
                if (!await _queue.Reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break; // the window closed (or shutdown: finish this batch first)
            }
        }

        return batch;
    }

    private TimeSpan HeartbeatDelay()
    {
        if (_log.Size == 0)
        {
            return TimeSpan.Zero; // a new log gets its first entry at once, so it has a head to serve
        }

        // Never longer than one interval, even when the clock is behind the last entry's timestamp.
        ulong last = _log.LastTimestamp;
        ulong now = NowMs();
        ulong interval = (ulong)_options.HeartbeatInterval.TotalMilliseconds;
        ulong due = last + interval;
        return due <= now ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(due - now, interval));
    }

    private ulong NowMs() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Stages the batch and appends it as one entry; on failure the sequencer stops.</summary>
    private void Append(List<Pending> batch)
    {
        long started = _time.GetTimestamp();
        try
        {
            var versions = new List<uint[]>(batch.Count);
            foreach (Pending pending in batch)
            {
                versions.Add(pending.Values.Select(v => _log.Stage(v.Label, v.Value)).ToArray());
            }

            // Log timestamps never decrease (KT §11.2) even if the clock steps back.
            ulong timestamp = Math.Max(NowMs(), _log.Size == 0 ? 0 : _log.LastTimestamp);
            ulong position;
            Exception? notice = null;
            try
            {
                position = _log.Sequence(timestamp);
            }
            catch (CommitNoticeException e)
            {
                // The entry is committed (and served); only the high-water mark did not hear of it. The requests are
                // answered, and the sequencer stops so the restart's checks settle the mark.
                position = e.Position;
                notice = e;
            }

            EntriesAppended++;
            for (int i = 0; i < batch.Count; i++)
            {
                VersionsPublished += versions[i].Length;
                batch[i].Done.TrySetResult(new PublishedBatch(position, versions[i]));
            }

            if (notice is not null)
            {
                _fault = notice;
            }
            else
            {
                Appended?.Invoke(position, timestamp, batch.SelectMany(p => p.Values).ToArray());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _fault = e;
            foreach (Pending pending in batch)
            {
                pending.Done.TrySetException(new SequencerStoppedException("The log entry could not be committed.", e));
            }
        }
        finally
        {
            Interlocked.Add(ref _appendTicks, _time.GetTimestamp() - started);
        }
    }

    private sealed record Pending(IReadOnlyList<(byte[] Label, byte[] Value)> Values, TaskCompletionSource<PublishedBatch> Done, long QueuedAt);
}
