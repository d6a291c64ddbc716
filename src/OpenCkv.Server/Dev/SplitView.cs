using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The malicious-server scenario <c>split-view</c>: the server shows one account's devices a second branch of its
/// log, signed with the log's own key (an operator who ignores the high-water mark), and everyone else the real
/// one. The branch starts as a copy of the log at the next entry, then follows the real log entry by entry — same
/// positions, same timestamps, same values — except that its first own entry carries one value more, so from there
/// on the two branches have different roots at every size. The victim's devices are recognised by their signed-in
/// requests and, for the anonymous requests (the distinguished-heads walk), by the connections those came over,
/// as a server correlating connections would. Gossip between a victim and anyone else then proves the fork; in a
/// third-party-audited log the auditor never signs the branch, so the victim's auditor head only ages.
/// </summary>
internal sealed class SplitView : IDisposable
{
    private static readonly byte[] GhostLabel = "split-view.invalid"u8.ToArray();

    private readonly object _gate = new();
    private readonly byte[] _victim;
    private readonly byte[]? _hiddenLabel;
    private readonly bool _frozenClock;
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, bool> _victimConnections = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LogFolder _log;
    private readonly Directory.Sequencing.Sequencer _sequencer;
    private readonly string _source;
    private SqliteLogDatabase? _database;
    private TransparencyLog? _branch;
    private bool _diverged;
    private bool _broken;

    private SplitView(LogFolder log, Directory.Sequencing.Sequencer sequencer, string source, byte[] victim, byte[]? hiddenLabel, bool frozenClock, string folder)
    {
        _hiddenLabel = hiddenLabel;
        _frozenClock = frozenClock;
        _log = log;
        _sequencer = sequencer;
        _source = source;
        _victim = victim;
        _folder = folder;
    }

    /// <summary>The account whose devices see the branch.</summary>
    public byte[] Victim => _victim;

    /// <summary>
    /// Starts a branch for <paramref name="victim"/>'s devices: hooks the sequencer, and at its next entry (a
    /// heartbeat at the latest; in a third-party-audited log, the next once the log holds an auditor head) copies
    /// the log's database and opens the copy as the branch. With
    /// <paramref name="hiddenLabel"/> the branch leaves out every later value of that label instead of adding one
    /// of its own (<c>hide-update</c>: the label's owner is shown a log without the versions written behind its back).
    /// With <paramref name="frozenClock"/> the branch stops where it was copied (<c>unlinkable-heads</c>): a view
    /// frozen in the past, which stays fresh for max_behind, while the real log's recent distinguished entries
    /// (KT §6.1, §10) soon all lie beyond it, so the two views' distinguished heads share no tree size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log does not live in the data folder's SQLite file.</exception>
    public static async Task<SplitView> StartAsync(
        LogFolder log, Directory.Sequencing.Sequencer sequencer, string dataFolder, byte[] victim, byte[]? hiddenLabel, bool frozenClock)
    {
        string source = Path.Combine(dataFolder, "log.db");
        if (!File.Exists(source))
        {
            throw new InvalidOperationException("split-view needs the log in the data folder's SQLite file.");
        }

        string folder = Path.Combine(dataFolder, "dev-split-view-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        var view = new SplitView(log, sequencer, source, victim, hiddenLabel, frozenClock, folder);
        sequencer.Appended = view.OnAppended;
        await view._started.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return view;
    }

    /// <summary>
    /// The branch to answer with, or null for the real log: the victim's signed-in requests, and anonymous ones
    /// over a connection the victim used.
    /// </summary>
    public TransparencyLog? For(HttpContext context, byte[]? account)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_branch is null || _broken)
        {
            return null;
        }

        string connection = context.Connection.Id;
        if (account is not null)
        {
            if (!account.AsSpan().SequenceEqual(_victim))
            {
                return null;
            }

            _victimConnections[connection] = true;
            return _branch;
        }

        return _victimConnections.ContainsKey(connection) ? _branch : null;
    }

    /// <summary>Offers the branch a head the auditor signed for the real log; it keeps only one over its own roots.</summary>
    public void OfferAuditorHead(KeyTransparency.AuditorTreeHead head)
    {
        try
        {
            _branch?.AcceptAuditorHead(head);
        }
        catch (ArgumentException)
        {
            // The auditor signed the real branch's root: no use to this one.
        }
    }

    public void Dispose()
    {
        _sequencer.Appended = null;
        lock (_gate)
        {
            _branch = null;
            _database?.Dispose();
            _database = null;
        }

        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A copy left in the data folder of a development server: harmless.
        }
    }

    /// <summary>
    /// The sequencer's notice of a committed entry: the copy is taken at the first, then each is mirrored. It runs on
    /// the sequencer's thread, so nothing may escape it: a branch that cannot follow stops being served.
    /// </summary>
    private void OnAppended(ulong position, ulong timestamp, IReadOnlyList<(byte[] Label, byte[] Value)> values)
    {
        try
        {
            Follow(position, timestamp, values);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _broken = true;
            _started.TrySetException(e);
            Console.Error.WriteLine($"split-view: the branch stopped following the log at entry {position}: {e.Message}");
        }
    }

    private void Follow(ulong position, ulong timestamp, IReadOnlyList<(byte[] Label, byte[] Value)> values)
    {
        lock (_gate)
        {
            if (_started.Task.IsCompleted && _branch is null)
            {
                return; // disposed
            }

            if (_branch is null)
            {
                if (_log.Configuration.Mode == DeploymentMode.ThirdPartyAuditing && _log.Log.AuditorHead is null)
                {
                    return; // the branch starts once the log holds an auditor head it can carry over (see Open)
                }

                Open();
                _started.TrySetResult();
                return;
            }

            if (_frozenClock)
            {
                return;
            }

            if (_broken || position != _branch.Size)
            {
                if (!_broken)
                {
                    Console.Error.WriteLine($"split-view: entry {position} is not the branch's next ({_branch.Size}); the branch stops");
                }

                _broken = true;
                return;
            }

            foreach ((byte[] label, byte[] value) in values)
            {
                if (_hiddenLabel is null || !label.AsSpan().SequenceEqual(_hiddenLabel))
                {
                    _branch.Stage(label, value);
                }
            }

            if (!_diverged && _hiddenLabel is null)
            {
                _branch.Stage(GhostLabel, "a value only the branch holds"u8.ToArray());
                _diverged = true;
            }

            _branch.Sequence(timestamp);
        }
    }

    private void Open()
    {
        string copy = Path.Combine(_folder, "log.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "VACUUM INTO $path";
            command.Parameters.AddWithValue("$path", copy);
            command.ExecuteNonQuery();
        }

        CryptoSuite suite = CryptoSuite.Fastest;
        _database = new SqliteLogDatabase(copy);
        (Crypto.Signatures.EcdsaP256PrivateKey signing, Crypto.Vrf.VrfKeyPair vrf) = _log.DevKeys;
        _branch = TransparencyLog.Open(suite, _log.Configuration, new KeyTreeHeadSigner(signing), vrf, new SqliteLogStore(_database, suite.TreeHashes));

        // Auditor heads live in memory, so the copy has none. The real log's newest one covers a size the branch
        // shares (the copy holds every entry committed so far), so the branch can answer at once; it then ages,
        // as no head the auditor signs later is over the branch's roots.
        if (_log.Log.AuditorHead is { } head)
        {
            _branch.AcceptAuditorHead(head);
        }
    }
}
