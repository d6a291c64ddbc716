using Microsoft.Data.Sqlite;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// A log's <see cref="ILogStore"/> in one SQLite file: entries with their signed heads, label versions, prefix-tree
/// pages (<see cref="PagedPrefixVersions"/> over <see cref="SqlitePrefixPageTable"/>) and log-tree heads
/// (<see cref="SqliteLogTree"/>). A step's pages are written first; its entry, versions and log-tree heads then
/// commit in one transaction, so a crash leaves either the whole step or only unreferenced pages; the entry's
/// signature follows in a second (<see cref="StoreHead"/>). Until then the entry's <c>head_signature</c> is empty:
/// no ECDSA signature is, and the column stays <c>NOT NULL</c> in databases made before heads were signed apart.
/// </summary>
public sealed class SqliteLogStore : ILogStore
{
    /// <summary>
    /// Four levels per page: in SQLite, at 100,000 labels, a page depth of 4 stores 2.9 KB per label-version against
    /// 11.5 KB for 8 (whole-page copies), and without caches answered a search in 1.1 ms against 1.4 ms for 8 and
    /// 1.3 ms for 2 (docs/benchmarks.md, "The SQLite store").
    /// </summary>
    public const int DefaultLevelsPerPage = 4;

    private readonly SqliteLogDatabase _database;
    private readonly SqliteLogTree _logTree;
    private readonly Dictionary<ulong, StoredEntry> _entries = [];
    private readonly SqlitePrefixPageTable _pages;
    private ulong _size;
    private ulong _signedSize;

    /// <summary>A store over an open database; <paramref name="levelsPerPage"/> is fixed for the life of the file.</summary>
    public SqliteLogStore(SqliteLogDatabase database, TreeHasher hasher, int levelsPerPage = DefaultLevelsPerPage)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(hasher);
        _database = database;
        _logTree = new SqliteLogTree(database, hasher);
        _pages = new SqlitePrefixPageTable(database);
        PrefixVersions = new PagedPrefixVersions(hasher, _pages, levelsPerPage);
        lock (database.Gate)
        {
            using SqliteCommand command = database.Connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), COUNT(*) FILTER (WHERE length(head_signature) > 0) FROM entries";
            using SqliteDataReader reader = command.ExecuteReader();
            reader.Read();
            _size = (ulong)reader.GetInt64(0);
            _signedSize = (ulong)reader.GetInt64(1);
        }
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
            lock (_database.Gate)
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
            lock (_database.Gate)
            {
                return _signedSize;
            }
        }
    }

    /// <inheritdoc />
    public StoredEntry Entry(ulong position)
    {
        lock (_database.Gate)
        {
            if (_entries.TryGetValue(position, out StoredEntry? cached))
            {
                return cached;
            }

            using SqliteCommand command = Query("SELECT timestamp, prefix_root_page, prefix_root FROM entries WHERE position = $p", ("$p", (long)position));
            using SqliteDataReader reader = command.ExecuteReader();
            if (!reader.Read())
            {
                throw new ArgumentOutOfRangeException(nameof(position), $"No entry {position} in a log of {_size}.");
            }

            var entry = new StoredEntry(
                (ulong)reader.GetInt64(0),
                PagedPrefixVersions.At((ulong)reader.GetInt64(1), Hash32.From((byte[])reader.GetValue(2))));
            _entries[position] = entry; // entries never change once committed
            return entry;
        }
    }

    /// <inheritdoc />
    public TreeHead Head(ulong size)
    {
        lock (_database.Gate)
        {
            using SqliteCommand command = Query("SELECT head_signature FROM entries WHERE position = $p", ("$p", (long)size - 1));
            return size >= 1 && command.ExecuteScalar() is byte[] { Length: > 0 } signature
                ? new TreeHead(size, signature)
                : throw new ArgumentOutOfRangeException(nameof(size), $"No head of size {size} in a log of {_size}.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedVersion> Versions(byte[] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_database.Gate)
        {
            using SqliteCommand command = Query(
                "SELECT version, position, vrf_output, commitment, opening, value FROM versions WHERE label = $l ORDER BY version", ("$l", label));
            return ReadVersions(command).Select(v => v.Version).ToArray();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position)
    {
        lock (_database.Gate)
        {
            using SqliteCommand command = Query(
                "SELECT version, position, vrf_output, commitment, opening, value, label FROM versions WHERE position = $p ORDER BY seq", ("$p", (long)position));
            return ReadVersions(command).ToArray();
        }
    }

    /// <inheritdoc />
    public void Commit(SequencedStep sequenced)
    {
        ArgumentNullException.ThrowIfNull(sequenced);
        lock (_database.Gate)
        {
            if (sequenced.Position != _size || _signedSize != _size)
            {
                throw new ArgumentException($"Step {sequenced.Position} is not the next of a log of {_size} ({_signedSize} signed).", nameof(sequenced));
            }

            using SqliteTransaction transaction = _database.Connection.BeginTransaction();
            CheckVersionsFollow(sequenced, transaction);
            using (SqliteCommand entry = Query(
                "INSERT INTO entries (position, timestamp, prefix_root_page, prefix_root, head_signature) VALUES ($p, $t, $rp, $r, $s)",
                ("$p", (long)sequenced.Position),
                ("$t", (long)sequenced.Entry.Timestamp),
                ("$rp", (long)PagedPrefixVersions.RootPageOf(sequenced.Entry.Tree)),
                ("$r", sequenced.Entry.Tree.Root.ToArray()),
                ("$s", Array.Empty<byte>())))
            {
                entry.Transaction = transaction;
                entry.ExecuteNonQuery();
            }

            int seq = 0;
            foreach (PublishedLabelVersion published in sequenced.Versions)
            {
                PublishedVersion v = published.Version;
                if (v.Value.Signature is not null)
                {
                    throw new ArgumentException("Third-party management values are not stored by this log.", nameof(sequenced));
                }

                using SqliteCommand insert = Query(
                    "INSERT INTO versions (label, version, position, seq, vrf_output, commitment, opening, value) VALUES ($l, $v, $p, $s, $o, $c, $op, $val)",
                    ("$l", published.Label), ("$v", (long)v.Version), ("$p", (long)v.Position), ("$s", seq++),
                    ("$o", v.VrfOutput.ToArray()), ("$c", v.Commitment.ToArray()), ("$op", v.Opening), ("$val", v.Value.Value));
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
            }

            _logTree.AppendIn(transaction, sequenced.Position, sequenced.LogLeaf);
            try
            {
                _pages.InsertIn(transaction, sequenced.NewPages); // one transaction: no entry without its pages, no orphan pages
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: a page id already stored
            {
                throw new ArgumentException($"Step {sequenced.Position} reuses a stored prefix page id: it is not the next step of this log.", nameof(sequenced), e);
            }

            transaction.Commit();
            _pages.Committed(sequenced.NewPages, sequenced.ReplacedPages);
            _entries[sequenced.Position] = sequenced.Entry;
            _size++;
        }
    }

    /// <inheritdoc />
    public void EraseOpenings(byte[] label, IReadOnlyList<uint> versions)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(versions);
        lock (_database.Gate)
        {
            using SqliteTransaction transaction = _database.Connection.BeginTransaction();
            foreach (uint version in versions)
            {
                using SqliteCommand erase = Query(
                    "UPDATE versions SET opening = x'', value = x'' WHERE label = $l AND version = $v", ("$l", label), ("$v", (long)version));
                erase.Transaction = transaction;
                if (erase.ExecuteNonQuery() != 1)
                {
                    throw new ArgumentException($"The label has no version {version}.", nameof(versions));
                }
            }

            transaction.Commit();
        }
    }

    /// <inheritdoc />
    public void StoreHead(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        lock (_database.Gate)
        {
            if (head.TreeSize == _signedSize && _signedSize > 0)
            {
                return; // already completed: the first signature stays
            }

            if (head.TreeSize != _size || _signedSize + 1 != _size || head.Signature.Length == 0)
            {
                throw new ArgumentException($"A head of size {head.TreeSize} is not the newest entry's in a log of {_size} with {_signedSize} signed.", nameof(head));
            }

            using SqliteCommand update = Query(
                "UPDATE entries SET head_signature = $s WHERE position = $p AND length(head_signature) = 0", ("$s", head.Signature), ("$p", (long)head.TreeSize - 1));
            update.ExecuteNonQuery();
            _signedSize = _size;
        }
    }

    /// <summary>Each label's new versions continue its stored ones, in order, at this step's position.</summary>
    private void CheckVersionsFollow(SequencedStep step, SqliteTransaction transaction)
    {
        var next = new Dictionary<string, long>();
        foreach (PublishedLabelVersion published in step.Versions)
        {
            string key = Convert.ToHexString(published.Label);
            if (!next.TryGetValue(key, out long expected))
            {
                // Versions are numbered from 0 without gaps and never deleted: the greatest plus one is the count,
                // read with one probe of the primary key instead of a scan of every version the label ever had.
                using SqliteCommand count = Query("SELECT COALESCE(MAX(version) + 1, 0) FROM versions WHERE label = $l", ("$l", published.Label));
                count.Transaction = transaction;
                expected = (long)count.ExecuteScalar()!;
            }

            if (published.Version.Version != expected || published.Version.Position != step.Position)
            {
                throw new ArgumentException($"Version {published.Version.Version} does not follow the label's {expected} versions.", nameof(step));
            }

            next[key] = expected + 1;
        }
    }

    private static List<PublishedLabelVersion> ReadVersions(SqliteCommand command)
    {
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<PublishedLabelVersion>();
        while (reader.Read())
        {
            var version = new PublishedVersion(
                (uint)reader.GetInt64(0),
                (ulong)reader.GetInt64(1),
                Hash32.From((byte[])reader.GetValue(2)),
                Hash32.From((byte[])reader.GetValue(3)),
                (byte[])reader.GetValue(4),
                new UpdateValue((byte[])reader.GetValue(5), null));
            rows.Add(new PublishedLabelVersion(reader.FieldCount > 6 ? (byte[])reader.GetValue(6) : [], version));
        }

        return rows;
    }

    private SqliteCommand Query(string sql, params (string Name, object Value)[] parameters)
    {
        SqliteCommand command = _database.Connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
