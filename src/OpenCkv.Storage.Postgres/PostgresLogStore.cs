using System.Data;
using Npgsql;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// A log's <see cref="ILogStore"/> in PostgreSQL: entries with their signed heads, label versions, prefix-tree pages
/// (<see cref="PagedPrefixVersions"/> over <see cref="PostgresPrefixPageTable"/>) and log-tree heads
/// (<see cref="PostgresLogTree"/>). A step's pages are written first; its entry, versions and log-tree heads then
/// commit in one transaction, so a crash leaves either the whole step or only unreferenced pages; the signature
/// follows (<see cref="StoreHead"/>), and until then the entry's <c>head_signature</c> is empty (no ECDSA signature
/// is). Several servers may share the tables: with a <see cref="Fence"/>, a commit also proves in its transaction
/// that this server holds the sequencer lease, and <see cref="Refresh"/> shows what the others committed.
/// </summary>
public sealed class PostgresLogStore : ILogStore, IDisposable
{
    /// <summary>Four levels per page, as in the SQLite store (docs/benchmarks.md, "The SQLite store").</summary>
    public const int DefaultLevelsPerPage = 4;

    private readonly PostgresLogDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly PostgresLogTree _logTree;
    private readonly Dictionary<ulong, StoredEntry> _entries = [];
    private readonly Lock _cacheGate = new();
    private readonly PostgresPrefixPageTable _pages;
    private ulong _size;
    private ulong _signedSize;

    /// <summary>A store over an open database; <paramref name="levelsPerPage"/> is fixed for the life of the schema.</summary>
    public PostgresLogStore(PostgresLogDatabase database, TreeHasher hasher, int levelsPerPage = DefaultLevelsPerPage)
        : this(database, hasher, levelsPerPage, ownsDatabase: false)
    {
    }

    internal PostgresLogStore(PostgresLogDatabase database, TreeHasher hasher, int levelsPerPage, bool ownsDatabase)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(hasher);
        _database = database;
        _ownsDatabase = ownsDatabase;
        _logTree = new PostgresLogTree(database, hasher);
        _pages = new PostgresPrefixPageTable(database);
        PrefixVersions = new PagedPrefixVersions(hasher, _pages, levelsPerPage);
        Refresh();
    }

    /// <summary>
    /// The lease a commit must prove it holds when several servers share this log; null when this process is the
    /// only one that writes it (tests, tools).
    /// </summary>
    public PostgresSequencerLease? Fence { get; set; }

    /// <summary>A sequencer lease over this log's database for <paramref name="holder"/>, set as the <see cref="Fence"/> of every commit.</summary>
    public PostgresSequencerLease UseLease(string holder, string address, TimeSpan duration)
    {
        Fence = new PostgresSequencerLease(_database, holder, address, duration);
        return Fence;
    }

    /// <summary>The signed statement handing the log over, or null while it is live (<see cref="PostgresLogDatabase.Handover"/>).</summary>
    public byte[]? Handover() => _database.Handover();

    /// <inheritdoc />
    public IPrefixVersions PrefixVersions { get; }

    /// <inheritdoc />
    public ILogTreeTable LogTree => _logTree;

    /// <inheritdoc />
    public ulong Size
    {
        get
        {
            lock (_cacheGate)
            {
                return _size;
            }
        }
    }

    /// <inheritdoc />
    public ulong SignedSize
    {
        get
        {
            lock (_cacheGate)
            {
                return _signedSize;
            }
        }
    }

    /// <inheritdoc />
    public void Refresh()
    {
        _pages.Forget(); // another server may have written pages since
        using NpgsqlConnection connection = _database.Open();
        (ulong size, bool signed) = Newest(connection, null);
        lock (_cacheGate)
        {
            _size = size;
            _signedSize = signed ? size : size - 1;
        }
    }

    /// <inheritdoc />
    public StoredEntry Entry(ulong position)
    {
        lock (_cacheGate)
        {
            if (_entries.TryGetValue(position, out StoredEntry? cached))
            {
                return cached;
            }
        }

        using NpgsqlConnection connection = _database.Open();
        List<StoredEntry> rows = PostgresCommands.QueryAll(
            connection,
            null,
            $"SELECT timestamp_ms, prefix_root_page, prefix_root FROM {_database.Table("entries")} WHERE position = $1",
            r => new StoredEntry((ulong)r.GetInt64(0), PagedPrefixVersions.At((ulong)r.GetInt64(1), Hash32.From(r.GetFieldValue<byte[]>(2)))),
            (long)position);
        if (rows.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"No entry {position} in a log of {Size}.");
        }

        lock (_cacheGate)
        {
            _entries[position] = rows[0]; // entries never change once committed
        }

        return rows[0];
    }

    /// <inheritdoc />
    public TreeHead Head(ulong size)
    {
        if (size >= 1)
        {
            using NpgsqlConnection connection = _database.Open();
            List<byte[]> rows = PostgresCommands.QueryAll(
                connection, null, $"SELECT head_signature FROM {_database.Table("entries")} WHERE position = $1", r => r.GetFieldValue<byte[]>(0), (long)(size - 1));
            if (rows.Count == 1 && rows[0].Length > 0)
            {
                return new TreeHead(size, rows[0]);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(size), $"No head of size {size} in a log of {Size}.");
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedVersion> Versions(byte[] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        using NpgsqlConnection connection = _database.Open();
        return PostgresCommands.QueryAll(
            connection,
            null,
            $"SELECT {VersionColumns}, label FROM {_database.Table("versions")} WHERE label = $1 ORDER BY version",
            r => ReadVersion(r).Version,
            label).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position)
    {
        using NpgsqlConnection connection = _database.Open();
        return PostgresCommands.QueryAll(
            connection,
            null,
            $"SELECT {VersionColumns}, label FROM {_database.Table("versions")} WHERE position = $1 ORDER BY seq",
            ReadVersion,
            (long)position).ToArray();
    }

    /// <summary>
    /// Stores the step in one transaction: its entry, label versions, prefix pages and log-tree heads, after proving this
    /// server holds the lease (<see cref="Fence"/>) and that the newest stored entry is signed.
    /// Read committed is enough, and avoids the retry errors serializable isolation would add: every row is an
    /// insert under a primary key that a second writer of the same step would also insert, so of two processes
    /// committing one position, the second fails on the key and rolls back whole.
    /// </summary>
    /// <exception cref="ArgumentException">The step is not the next position, or its versions do not follow the stored ones.</exception>
    /// <exception cref="FencedOutException">The fence's lease is no longer this server's.</exception>
    public void Commit(SequencedStep sequenced)
    {
        ArgumentNullException.ThrowIfNull(sequenced);
        lock (_database.Writer)
        {
            if (sequenced.Versions.Any(v => v.Version.Value.Signature is not null))
            {
                throw new ArgumentException("Third-party management values are not stored by this log.", nameof(sequenced));
            }

            using NpgsqlConnection connection = _database.Open();
            using NpgsqlTransaction transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            LogTreeAppend logAppend;
            try
            {
                // A left sibling the cache lacks is read first: it is hashed into the heads the step inserts.
                logAppend = _logTree.AppendIn(connection, transaction, sequenced.Position, sequenced.LogLeaf);
                List<NpgsqlBatchCommand> inserts = Inserts(sequenced, logAppend);

                // The checks and the inserts in one round trip. In this order: the fence (which holds the lease row
                // until the commit), the newest stored entry, how many versions the step's labels have, then the
                // rows. The inserts run before the checks are read; a failed check throws before the commit, and the
                // transaction rolls back with everything they wrote.
                int inFirst = Math.Min(inserts.Count, PostgresCommands.MaxBatchCommands);
                using (var batch = new NpgsqlBatch(connection, transaction))
                {
                    Action<NpgsqlDataReader>? fenced = Fence?.AddCheckTo(batch);
                    batch.BatchCommands.Add(PostgresCommands.BatchCommand(NewestSql));
                    int countQueries = AddVersionCounts(batch, sequenced);
                    foreach (NpgsqlBatchCommand insert in inserts.Take(inFirst))
                    {
                        batch.BatchCommands.Add(insert);
                    }

                    using NpgsqlDataReader reader = batch.ExecuteReader();
                    if (fenced is not null)
                    {
                        fenced(reader);
                        reader.NextResult();
                    }

                    CheckNext(sequenced, ReadNewest(reader));
                    CheckVersionsFollow(sequenced, ReadVersionCounts(reader, countQueries));
                    while (reader.NextResult())
                    {
                        // an insert that failed (a stored key) throws here
                    }
                }

                PostgresCommands.ExecuteInChunks(connection, transaction, inserts[inFirst..]); // only the largest steps have more
                transaction.Commit();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                _pages.Forget();
                throw new ArgumentException($"Step {sequenced.Position} collides with a stored row: another writer stored that position.", nameof(sequenced), e);
            }
            catch
            {
                _pages.Forget();
                throw;
            }

            _pages.Committed(sequenced.NewPages, sequenced.ReplacedPages);
            _logTree.Committed(logAppend);

            lock (_cacheGate)
            {
                _entries[sequenced.Position] = sequenced.Entry;
                _size = sequenced.Position + 1;
                _signedSize = sequenced.Position;
            }
        }
    }

    /// <summary>The step is the next position of the stored log, whose newest entry is signed.</summary>
    private static void CheckNext(SequencedStep sequenced, (ulong Stored, bool Signed) newest)
    {
        if (newest.Stored != sequenced.Position || !newest.Signed)
        {
            throw new ArgumentException(
                $"Step {sequenced.Position} is not the next of the stored log of {newest.Stored}{(newest.Signed ? string.Empty : " whose newest entry waits for its head")}: another writer moved it.",
                nameof(sequenced));
        }
    }

    /// <summary>The step's rows: its entry, its label versions, its prefix pages and its log-tree heads.</summary>
    private List<NpgsqlBatchCommand> Inserts(SequencedStep sequenced, LogTreeAppend logAppend)
    {
        var commands = new List<NpgsqlBatchCommand>
        {
            PostgresCommands.BatchCommand(
                $"INSERT INTO {_database.Table("entries")} (position, timestamp_ms, prefix_root_page, prefix_root, head_signature) VALUES ($1, $2, $3, $4, $5)",
                (long)sequenced.Position,
                (long)sequenced.Entry.Timestamp,
                (long)PagedPrefixVersions.RootPageOf(sequenced.Entry.Tree),
                sequenced.Entry.Tree.Root.ToArray(),
                Array.Empty<byte>()),
        };
        long seq = 0;
        commands.AddRange(PostgresCommands.RowInserts(
            _database.Table("versions"),
            "label, version, position, seq, vrf_output, commitment, opening, value",
            8,
            sequenced.Versions.Select(published => new object[]
            {
                published.Label, (long)published.Version.Version, (long)published.Version.Position, seq++,
                published.Version.VrfOutput.ToArray(), published.Version.Commitment.ToArray(), published.Version.Opening, published.Version.Value.Value,
            }).ToArray()));
        commands.AddRange(_pages.Inserts(sequenced.NewPages)); // one transaction: no entry without its pages, no orphan pages
        commands.AddRange(logAppend.Commands);
        return commands;
    }

    /// <inheritdoc />
    public void EraseOpenings(byte[] label, IReadOnlyList<uint> versions)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(versions);
        using NpgsqlConnection connection = _database.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        foreach (uint version in versions)
        {
            using NpgsqlCommand erase = PostgresCommands.Command(
                connection, transaction, $"UPDATE {_database.Table("versions")} SET opening = $1, value = $1 WHERE label = $2 AND version = $3", Array.Empty<byte>(), label, (long)version);
            if (erase.ExecuteNonQuery() != 1)
            {
                throw new ArgumentException($"The label has no version {version}.", nameof(versions));
            }
        }

        transaction.Commit();
    }

    /// <inheritdoc />
    /// <remarks>Not fenced: the head's bytes are fixed by the committed entries, so any holder of the key signs the
    /// same head, and the first signature stored stays.</remarks>
    public void StoreHead(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.TreeSize == 0 || head.Signature.Length == 0)
        {
            throw new ArgumentException("A head covers at least one entry and carries a signature.", nameof(head));
        }

        using NpgsqlConnection connection = _database.Open();
        using NpgsqlCommand update = PostgresCommands.Command(
            connection,
            null,
            $"UPDATE {_database.Table("entries")} SET head_signature = $1 WHERE position = $2 AND length(head_signature) = 0",
            head.Signature,
            (long)(head.TreeSize - 1));
        if (update.ExecuteNonQuery() == 0 &&
            PostgresCommands.ScalarLong(connection, null, $"SELECT COUNT(*) FROM {_database.Table("entries")} WHERE position = $1", (long)(head.TreeSize - 1)) == 0)
        {
            throw new ArgumentException($"There is no entry {head.TreeSize - 1} to sign.", nameof(head));
        }

        lock (_cacheGate)
        {
            _signedSize = Math.Max(_signedSize, head.TreeSize);
            _size = Math.Max(_size, head.TreeSize);
        }
    }

    /// <summary>Disposes the database when this store opened it (<see cref="PostgresStores.OpenLog"/>).</summary>
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private const string VersionColumns = "version, position, vrf_output, commitment, opening, value";

    /// <summary>
    /// The number of entries (numbered from 0 without gaps, so the highest position plus one) and whether the newest
    /// is signed (an empty log counts as signed). Only the newest entry can lack its head.
    /// </summary>
    private string NewestSql => $"SELECT position, length(head_signature) > 0 FROM {_database.Table("entries")} ORDER BY position DESC LIMIT 1";

    private (ulong Size, bool Signed) Newest(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using NpgsqlCommand command = PostgresCommands.Command(connection, transaction, NewestSql);
        using NpgsqlDataReader reader = command.ExecuteReader();
        return ReadNewest(reader);
    }

    /// <summary>The stored size, and whether its newest entry is signed, from the result of <see cref="NewestSql"/>.</summary>
    private static (ulong Size, bool Signed) ReadNewest(NpgsqlDataReader reader) =>
        reader.Read() ? ((ulong)reader.GetInt64(0) + 1, reader.GetBoolean(1)) : (0, true);

    /// <summary>
    /// Adds the queries reading how many versions the step's labels have stored; returns how many queries. Versions
    /// are numbered from 0 without gaps and never deleted, so the count is the greatest version plus one, which the
    /// primary key answers with one index probe per label, where counting would read every version a label ever had.
    /// </summary>
    private int AddVersionCounts(NpgsqlBatch batch, SequencedStep step)
    {
        byte[][] labels = [.. step.Versions.Select(v => v.Label).DistinctBy(Convert.ToHexString)];
        int queries = 0;
        foreach (byte[][] chunk in labels.Chunk(PostgresCommands.MaxListLength))
        {
            // A correlated MAX over the key's leading column: a backward index probe per label on all three databases.
            string values = string.Join(", ", Enumerable.Range(1, chunk.Length).Select(i => i == 1 ? "($1::bytea)" : $"(${i})"));
            batch.BatchCommands.Add(PostgresCommands.BatchCommand(
                $"SELECT l.label, (SELECT MAX(v.version) + 1 FROM {_database.Table("versions")} v WHERE v.label = l.label) FROM (VALUES {values}) AS l (label)",
                [.. chunk]));
            queries++;
        }

        return queries;
    }

    /// <summary>The results of <see cref="AddVersionCounts"/>'s queries, next in <paramref name="reader"/>: versions by hex label.</summary>
    private static Dictionary<string, long> ReadVersionCounts(NpgsqlDataReader reader, int queries)
    {
        var counts = new Dictionary<string, long>();
        for (int i = 0; i < queries; i++)
        {
            reader.NextResult();
            while (reader.Read())
            {
                counts[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1); // null: no versions yet
            }
        }

        return counts;
    }

    /// <summary>Each label's new versions continue its stored ones (<paramref name="counts"/>, by hex label), in order, at this step's position.</summary>
    private static void CheckVersionsFollow(SequencedStep step, Dictionary<string, long> counts)
    {
        foreach (PublishedLabelVersion published in step.Versions)
        {
            string key = Convert.ToHexString(published.Label);
            long expected = counts.GetValueOrDefault(key);
            if (published.Version.Version != expected || published.Version.Position != step.Position)
            {
                throw new ArgumentException($"Version {published.Version.Version} does not follow the label's {expected} versions.", nameof(step));
            }

            counts[key] = expected + 1;
        }
    }

    private static PublishedLabelVersion ReadVersion(NpgsqlDataReader r) => new(
        r.GetFieldValue<byte[]>(6),
        new PublishedVersion(
            (uint)r.GetInt64(0),
            (ulong)r.GetInt64(1),
            Hash32.From(r.GetFieldValue<byte[]>(2)),
            Hash32.From(r.GetFieldValue<byte[]>(3)),
            r.GetFieldValue<byte[]>(4),
            new UpdateValue(r.GetFieldValue<byte[]>(5), null)));
}
