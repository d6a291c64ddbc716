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
/// (<see cref="PostgresLogTree"/>). A step's pages are written first; its entry, versions, head and log-tree heads
/// then commit in one transaction, so a crash leaves either the whole step or only unreferenced pages.
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
    private ulong _size;

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
        PrefixVersions = new PagedPrefixVersions(hasher, new PostgresPrefixPageTable(database), levelsPerPage);
        using NpgsqlConnection connection = database.Open();
        _size = StoredSize(connection, null);
    }

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
            if (rows.Count == 1)
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
    /// Stores the step in one transaction: its entry and head, its label versions and its log-tree heads.
    /// Read committed is enough, and avoids the retry errors serializable isolation would add: every row is an
    /// insert under a primary key that a second writer of the same step would also insert, so of two processes
    /// committing one position, the second fails on the key and rolls back whole.
    /// </summary>
    /// <exception cref="ArgumentException">The step is not the next position, or its versions do not follow the stored ones.</exception>
    public void Commit(SequencedStep sequenced)
    {
        ArgumentNullException.ThrowIfNull(sequenced);
        lock (_database.Writer)
        {
            ulong size = Size;
            if (sequenced.Position != size || sequenced.Head.TreeSize != sequenced.Position + 1)
            {
                throw new ArgumentException($"Step {sequenced.Position} is not the next of a log of {size}.", nameof(sequenced));
            }

            if (sequenced.Versions.Any(v => v.Version.Value.Signature is not null))
            {
                throw new ArgumentException("Third-party management values are not stored by this log.", nameof(sequenced));
            }

            using NpgsqlConnection connection = _database.Open();
            using NpgsqlTransaction transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            ulong stored = StoredSize(connection, transaction);
            if (stored != sequenced.Position)
            {
                throw new ArgumentException($"Step {sequenced.Position} is not the next of the stored log of {stored}: another writer moved it.", nameof(sequenced));
            }

            CheckVersionsFollow(sequenced, connection, transaction);
            var commands = new List<NpgsqlBatchCommand>(sequenced.Versions.Count + 1)
            {
                PostgresCommands.BatchCommand(
                    $"INSERT INTO {_database.Table("entries")} (position, timestamp_ms, prefix_root_page, prefix_root, head_signature) VALUES ($1, $2, $3, $4, $5)",
                    (long)sequenced.Position,
                    (long)sequenced.Entry.Timestamp,
                    (long)PagedPrefixVersions.RootPageOf(sequenced.Entry.Tree),
                    sequenced.Entry.Tree.Root.ToArray(),
                    sequenced.Head.Signature),
            };
            string insertVersion =
                $"INSERT INTO {_database.Table("versions")} (label, version, position, seq, vrf_output, commitment, opening, value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
            long seq = 0;
            foreach (PublishedLabelVersion published in sequenced.Versions)
            {
                PublishedVersion v = published.Version;
                commands.Add(PostgresCommands.BatchCommand(
                    insertVersion,
                    published.Label, (long)v.Version, (long)v.Position, seq++, v.VrfOutput.ToArray(), v.Commitment.ToArray(), v.Opening, v.Value.Value));
            }

            try
            {
                PostgresCommands.ExecuteInChunks(connection, transaction, commands);
                using var tree = new NpgsqlBatch(connection, transaction);
                _logTree.AppendIn(tree, sequenced.Position, sequenced.LogLeaf);
                tree.ExecuteNonQuery();
                transaction.Commit();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new ArgumentException($"Step {sequenced.Position} collides with a stored row: another writer stored that position.", nameof(sequenced), e);
            }

            lock (_cacheGate)
            {
                _entries[sequenced.Position] = sequenced.Entry;
                _size = size + 1;
            }
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

    /// <summary>Entries are numbered from 0 without gaps, so the next position is the highest one plus one.</summary>
    private ulong StoredSize(NpgsqlConnection connection, NpgsqlTransaction? transaction) =>
        (ulong)PostgresCommands.ScalarLong(connection, transaction, $"SELECT COALESCE(MAX(position) + 1, 0) FROM {_database.Table("entries")}");

    /// <summary>Each label's new versions continue its stored ones, in order, at this step's position; one query per step.</summary>
    private void CheckVersionsFollow(SequencedStep step, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        byte[][] labels = [.. step.Versions.Select(v => v.Label).DistinctBy(Convert.ToHexString)];
        var next = new Dictionary<string, long>();
        foreach (byte[][] chunk in labels.Chunk(PostgresCommands.MaxListLength))
        {
            string sql = $"SELECT label, COUNT(*) FROM {_database.Table("versions")} WHERE label IN ({PostgresCommands.Placeholders(chunk.Length)}) GROUP BY label";
            foreach ((byte[] label, long count) in PostgresCommands.QueryAll(connection, transaction, sql, r => (r.GetFieldValue<byte[]>(0), r.GetInt64(1)), [.. chunk]))
            {
                next[Convert.ToHexString(label)] = count;
            }
        }

        foreach (PublishedLabelVersion published in step.Versions)
        {
            string key = Convert.ToHexString(published.Label);
            long expected = next.GetValueOrDefault(key);
            if (published.Version.Version != expected || published.Version.Position != step.Position)
            {
                throw new ArgumentException($"Version {published.Version.Version} does not follow the label's {expected} versions.", nameof(step));
            }

            next[key] = expected + 1;
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
