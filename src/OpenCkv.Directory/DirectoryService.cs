using System.Collections.Concurrent;
using System.Text;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Publishing;
using OpenCkv.Directory.Sequencing;
using OpenCkv.Directory.Storage;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

/// <summary>
/// The directory: accounts, handles and devices, and the only path by which records reach the log. Every record
/// is checked on its own (docs/ckv-protocol.md §2.5) and against the handle's newest one with the transition table
/// (§2.7) before it is queued; a change touches every live handle of the account in one entry (§2.4); the caller
/// learns of it only once that entry is committed.
/// </summary>
public sealed partial class DirectoryService
{
    private readonly IDirectoryStore _store;
    private readonly IRelayStore _relays;
    private readonly TransparencyLog _log;
    private readonly Sequencer _sequencer;
    private readonly IHandleCodeSender _codes;
    private readonly DirectoryOptions _options;
    private readonly TimeProvider _time;
    private readonly SecondFactor _secondFactor;
    private readonly KeyedLocks _locks = new();
    private readonly ConcurrentDictionary<string, (long Generation, long Epoch, AccountView View)> _views = new(StringComparer.Ordinal);
    private long _viewEpoch;
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    /// <summary>A directory over its store, the log and the log's sequencer.</summary>
    public DirectoryService(IDirectoryStore store, IRelayStore relays, TransparencyLog log, Sequencer sequencer, IHandleCodeSender codes, DirectoryOptions options, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _relays = relays ?? throw new ArgumentNullException(nameof(relays));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _sequencer = sequencer ?? throw new ArgumentNullException(nameof(sequencer));
        _codes = codes ?? throw new ArgumentNullException(nameof(codes));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _secondFactor = new SecondFactor(time);
    }

    /// <summary>The TOTP checker (shared so a used step is refused everywhere).</summary>
    public SecondFactor SecondFactor => _secondFactor;

    // ---- publishing and the records it reads ----

    /// <summary>
    /// Refuses a change before anything of it is written when this server does not sequence the log (a read replica
    /// of a shared database): a code spent or a row written for a change that can never publish here would be lost.
    /// </summary>
    private void RequireWriter()
    {
        if (_sequencer.Retired is { } retired)
        {
            throw new DirectoryException(DirectoryError.LogMoved, retired);
        }

        if (!_sequencer.IsWriter)
        {
            string? writer = _sequencer.WriterAddress();
            throw _sequencer.Fault is null
                ? new DirectoryException(DirectoryError.ReadReplica, new NotTheWriterException(writer).Message, writer)
                : new DirectoryException(DirectoryError.Unavailable, "The log's sequencer stopped after a failed commit.");
        }
    }

    /// <summary>
    /// Drops every cached account view: the log moved on through another server's entries (a read replica's
    /// refresh), so views built from the older state must not be served.
    /// </summary>
    public void ForgetViews()
    {
        Interlocked.Increment(ref _viewEpoch);
        _views.Clear();
    }

    private async Task<ChangeReceipt> PublishAsync(List<(string Label, byte[] Bytes, HandleRecord Record)> records)
    {
        // The request's own thread computes the search keys, so the single writer does not (VRF, KT §4).
        (byte[] Label, byte[] Value)[] values = records.Select(r => (Encoding.UTF8.GetBytes(r.Label), r.Bytes)).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            _log.PrepareVersion(values[i].Label, records[i].Record.Version);
        }

        PublishedBatch batch;
        try
        {
            batch = await _sequencer.PublishAsync(values).ConfigureAwait(false);
        }
        catch (LogRetiredException e)
        {
            throw new DirectoryException(DirectoryError.LogMoved, e.Message);
        }
        catch (NotTheWriterException e)
        {
            throw new DirectoryException(DirectoryError.ReadReplica, e.Message, e.WriterAddress);
        }
        catch (SequencerStoppedException e)
        {
            throw new DirectoryException(DirectoryError.Unavailable, e.Message);
        }

        var versions = new Dictionary<string, uint>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            if (batch.Versions[i] != records[i].Record.Version)
            {
                // Cannot happen while every write to a label holds its lock; if it did, the log now holds a
                // record at a version it does not name, which every reader refuses (§2.5, WrongPlace).
                throw new InvalidOperationException($"{records[i].Label} was published at version {batch.Versions[i]}, not {records[i].Record.Version}.");
            }

            versions[records[i].Label] = batch.Versions[i];
        }

        return new ChangeReceipt(batch.Position, versions);
    }

    /// <summary>
    /// The handle's newest record in the log. Only decoded, not verified again: nothing reaches the log except
    /// through <see cref="CheckRecord"/> and the transition table, and re-verifying two signatures per read was most
    /// of a change's cost.
    /// </summary>
    private HandleRecord? NewestRecord(string label)
    {
        if (_log.Latest(Encoding.UTF8.GetBytes(label)) is not { } latest)
        {
            return null;
        }

        try
        {
            return TlsCodec.Decode<HandleRecord>(latest.Value);
        }
        catch (KtFormatException)
        {
            // A log this directory did not fill (a bulk-loaded benchmark fixture): the label is not a handle here.
            throw new DirectoryException(DirectoryError.NotAllowed, $"The log's value for {label} is not a handle record.");
        }
    }

    /// <summary>
    /// Checks a record on its own (§2.5). Device entries carried unchanged from <paramref name="previous"/> — the
    /// handle's newest record, which passed these checks to reach the log — are not verified again.
    /// </summary>
    private static HandleRecord CheckRecord(byte[] bytes, string label, uint version, HandleRecord? previous)
    {
        try
        {
            return RecordCheck.Verify(bytes, Encoding.UTF8.GetBytes(label), version, previous);
        }
        catch (RecordException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"The record for {label} version {version} is refused: {e.Message}", e.Failure.ToString());
        }
    }

    private static void Refuse(Action check)
    {
        try
        {
            check();
        }
        catch (TransitionException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"The change is refused: {e.Message}", e.Transition.ToString());
        }
    }

    private static string LabelOf(byte[] recordBytes)
    {
        try
        {
            return Encoding.UTF8.GetString(TlsCodec.Decode<HandleRecord>(recordBytes).Label);
        }
        catch (KtFormatException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"A record is malformed: {e.Message}", nameof(RecordFailure.Malformed));
        }
    }

    private static string Label(string handle)
    {
        try
        {
            return HandleName.Normalize(handle);
        }
        catch (InvalidHandleException e)
        {
            throw new DirectoryException(DirectoryError.InvalidHandle, e.Message);
        }
    }

    /// <summary>
    /// After a change that wrote no row of the account, caches <paramref name="checkedView"/> — read from the store
    /// under the account's lock for that change — with the records just published, under a new generation, so the
    /// next request of the account needs no read. Only when nothing else touched the account since that view was
    /// read (its cache entry is still this view, at the current generation and epoch); false otherwise, and the caller
    /// forgets the account instead.
    /// </summary>
    private bool CarryForward(AccountView checkedView, List<(string Label, byte[] Bytes, HandleRecord Record)> published)
    {
        string key = Convert.ToHexString(checkedView.AccountId);
        long generation = _generations.GetValueOrDefault(key);
        long epoch = Interlocked.Read(ref _viewEpoch);
        if (!_views.TryGetValue(key, out (long Generation, long Epoch, AccountView View) cached) ||
            !ReferenceEquals(cached.View, checkedView) || cached.Generation != generation || cached.Epoch != epoch ||
            !(generation == 0 ? _generations.TryAdd(key, 1) : _generations.TryUpdate(key, generation + 1, generation)))
        {
            return false;
        }

        var records = new Dictionary<string, HandleRecord>(checkedView.Records, StringComparer.Ordinal);
        foreach ((string label, _, HandleRecord record) in published)
        {
            records[label] = record;
        }

        HandleRecord current = published[0].Record;
        AccountView next = checkedView with
        {
            Records = records,
            Current = current,
            Devices = [.. checkedView.Devices.Where(d => current.Devices.Any(signedIn => signedIn.DeviceId.AsSpan().SequenceEqual(d.DeviceId)))],
        };
        _views[key] = (generation + 1, epoch, next);
        return true;
    }

    private void Forget(byte[] accountId)
    {
        string key = Convert.ToHexString(accountId);
        _generations.AddOrUpdate(key, 1, (_, generation) => generation + 1);
        _views.TryRemove(key, out _);
    }

    private static bool SameDevice(Device a, Device b) => a.DeviceId.AsSpan().SequenceEqual(b.DeviceId);

    private ulong NowMs() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
}
