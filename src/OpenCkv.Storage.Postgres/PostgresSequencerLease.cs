using Npgsql;
using OpenCkv.KeyTransparency.Logs.Storage;

namespace OpenCkv.Storage.Postgres;

/// <summary>Who holds the sequencer lease of a shared log: the holder's id, epoch and advertised address.</summary>
public sealed record LeaseHolder(string Holder, long Epoch, string Address, bool Live);

/// <summary>
/// The lease that makes one of the servers sharing a PostgreSQL database the log's only writer (DESIGN §7). It is a
/// row: holder, epoch, the address the holder serves changes at, and an expiry in the database's own clock, so the
/// servers' clocks never need to agree. Taking over an expired lease increments the epoch; every commit of the log
/// (<see cref="PostgresLogStore.Commit"/>) first locks the row and checks that this holder's epoch is still the live
/// one, inside the commit's transaction. A former holder that was paused past its expiry therefore finds its epoch
/// gone and writes nothing, and a takeover waits for a commit that holds the row to finish.
/// </summary>
public sealed class PostgresSequencerLease
{
    private const string Name = "sequencer";
    private readonly PostgresLogDatabase _database;
    private readonly double _seconds;

    /// <summary>A lease handle for <paramref name="holder"/> (unique per server process), held for <paramref name="duration"/> per renewal.</summary>
    public PostgresSequencerLease(PostgresLogDatabase database, string holder, string address, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(address);
        if (duration < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), "A lease lasts at least a second.");
        }

        _database = database;
        Holder = holder;
        Address = address;
        _seconds = duration.TotalSeconds;
    }

    /// <summary>This server's id in the lease row.</summary>
    public string Holder { get; }

    /// <summary>Where this server takes changes while it holds the lease.</summary>
    public string Address { get; }

    /// <summary>The epoch this server holds, or null while it holds none.</summary>
    public long? Epoch { get; private set; }

    /// <summary>
    /// Takes the lease when it is free or expired (a new epoch), and returns whether this server now holds it.
    /// A holder whose own lease expired takes a new epoch too: it may have lost it in between.
    /// </summary>
    public bool TryAcquire()
    {
        using NpgsqlConnection connection = _database.Open();
        List<long> epochs = PostgresCommands.QueryAll(
            connection,
            null,
            $"""
            INSERT INTO {_database.Table("sequencer_lease")} AS l (name, holder, epoch, expires_at, address)
            VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 second', $4)
            ON CONFLICT (name) DO UPDATE SET holder = $2, epoch = l.epoch + 1, expires_at = clock_timestamp() + $3 * interval '1 second', address = $4
            WHERE l.expires_at < clock_timestamp()
            RETURNING epoch
            """,
            r => r.GetInt64(0),
            Name, Holder, _seconds, Address);
        Epoch = epochs.Count == 1 ? epochs[0] : null;
        return Epoch is not null;
    }

    /// <summary>Extends the held lease; false (and no epoch held any more) when it expired or was taken over.</summary>
    public bool Renew()
    {
        if (Epoch is not { } epoch)
        {
            return false;
        }

        using NpgsqlConnection connection = _database.Open();
        using NpgsqlCommand command = PostgresCommands.Command(
            connection,
            null,
            $"UPDATE {_database.Table("sequencer_lease")} SET expires_at = clock_timestamp() + $1 * interval '1 second' WHERE name = $2 AND holder = $3 AND epoch = $4 AND expires_at > clock_timestamp()",
            _seconds, Name, Holder, epoch);
        if (command.ExecuteNonQuery() == 1)
        {
            return true;
        }

        Epoch = null;
        return false;
    }

    /// <summary>Gives the held lease up at once (a graceful shutdown), so another server need not wait for it to expire.</summary>
    public void Release()
    {
        if (Epoch is not { } epoch)
        {
            return;
        }

        using NpgsqlConnection connection = _database.Open();
        using NpgsqlCommand command = PostgresCommands.Command(
            connection,
            null,
            $"UPDATE {_database.Table("sequencer_lease")} SET expires_at = clock_timestamp() - interval '1 second' WHERE name = $1 AND holder = $2 AND epoch = $3",
            Name, Holder, epoch);
        command.ExecuteNonQuery();
        Epoch = null;
    }

    /// <summary>
    /// Ends the log's writing for good, in one transaction: while this server still holds the live lease, stores the
    /// signed handover <paramref name="statement"/> (docs/ckv-protocol.md §9) and gives the lease to no server, with a
    /// new epoch and an expiry that never comes. No server can take the lease after that, and a former holder's
    /// commit is fenced out as after any takeover, so the log's final head stays final.
    /// </summary>
    /// <exception cref="FencedOutException">This server no longer holds the lease: another may have written since.</exception>
    /// <exception cref="InvalidOperationException">The log was handed over already.</exception>
    public void HandOver(byte[] statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        long held = Epoch ?? throw new FencedOutException("This process does not hold the sequencer lease.");
        using NpgsqlConnection connection = _database.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        using (NpgsqlCommand close = PostgresCommands.Command(
            connection,
            transaction,
            $"UPDATE {_database.Table("sequencer_lease")} SET holder = $1, epoch = epoch + 1, expires_at = $2, address = '' WHERE name = $3 AND holder = $4 AND epoch = $5 AND expires_at > clock_timestamp()",
            HandedOver, new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc), Name, Holder, held))
        {
            if (close.ExecuteNonQuery() != 1)
            {
                Epoch = null;
                throw new FencedOutException($"The sequencer lease of epoch {held} expired or was taken over before the handover was stored.");
            }
        }

        try
        {
            using NpgsqlCommand store = PostgresCommands.Command(
                connection, transaction, $"INSERT INTO {_database.Table("log_handover")} (name, statement) VALUES ($1, $2)", PostgresLogDatabase.HandoverName, statement);
            store.ExecuteNonQuery();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException("This log was handed over already.", e);
        }

        transaction.Commit();
        Epoch = null;
    }

    /// <summary>The lease's holder once the log was handed over: no server.</summary>
    public const string HandedOver = "(handed over)";

    /// <summary>The lease row as it stands, or null before any server took it.</summary>
    public LeaseHolder? Current()
    {
        using NpgsqlConnection connection = _database.Open();
        List<LeaseHolder> rows = PostgresCommands.QueryAll(
            connection,
            null,
            $"SELECT holder, epoch, address, expires_at > clock_timestamp() FROM {_database.Table("sequencer_lease")} WHERE name = $1",
            r => new LeaseHolder(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetBoolean(3)),
            Name);
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>
    /// The fence of a commit: adds to <paramref name="batch"/>, which runs in the commit's transaction with the
    /// commit's other checks in one round trip, the query that locks the lease row against a takeover until the
    /// transaction ends; returns what checks, on its result set (the reader positioned on it), that this server's
    /// epoch is the live one.
    /// </summary>
    /// <exception cref="FencedOutException">This server holds no lease (now, or when the result is judged).</exception>
    internal Action<NpgsqlDataReader> AddCheckTo(NpgsqlBatch batch)
    {
        long held = Epoch ?? throw new FencedOutException("This server does not hold the sequencer lease.");
        batch.BatchCommands.Add(PostgresCommands.BatchCommand(
            $"SELECT epoch FROM {_database.Table("sequencer_lease")} WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp() FOR SHARE",
            Name,
            Holder,
            held));
        return reader =>
        {
            int rows = 0;
            while (reader.Read())
            {
                rows++;
            }

            if (rows != 1)
            {
                Epoch = null;
                throw new FencedOutException($"The sequencer lease of epoch {held} expired or was taken over: this server must not write the log.");
            }
        };
    }
}
