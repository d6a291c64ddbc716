using Npgsql;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// The shared record of spent request nonces (docs/ckv-protocol.md §3), written in groups: a caller that finds no
/// insert running inserts every nonce waiting, in one statement and one commit, while later callers wait; when it is
/// done, the first of them writes the next group. Under load one commit (and its flush to disk) then serves many
/// requests instead of one each, with no added delay when the ledger is idle. Waiting callers hold no thread.
/// </summary>
internal sealed class PostgresNonceLedger(PostgresSchema schema)
{
    private readonly Lock _gate = new();
    private List<Waiting> _waiting = [];
    private bool _writing;
    private long _groups;

    /// <summary>Records the nonce until <paramref name="expiresMs"/>; false when it was spent before.</summary>
    public async Task<bool> SpendAsync(byte[] nonce, long expiresMs, long nowMs)
    {
        var spend = new Waiting(nonce, expiresMs);
        bool leads;
        lock (_gate)
        {
            _waiting.Add(spend);
            leads = !_writing;
            _writing = true;
        }

        // Woken either with its answer (false), or to write the next group, which holds it, as its leader (true).
        if (leads || await spend.Woken.Task.ConfigureAwait(false))
        {
            List<Waiting> group;
            lock (_gate)
            {
                group = _waiting;
                _waiting = [];
            }

            await WriteAsync(group, nowMs).ConfigureAwait(false);
            foreach (Waiting answered in group)
            {
                if (answered != spend)
                {
                    answered.Woken.TrySetResult(false);
                }
            }

            lock (_gate)
            {
                if (_waiting.Count > 0)
                {
                    _waiting[0].Woken.TrySetResult(true); // the next group's first caller writes it: nobody serves others forever
                }
                else
                {
                    _writing = false;
                }
            }
        }

        return spend.Fresh ?? throw new InvalidOperationException("The nonce ledger could not be written.", spend.Failure);
    }

    /// <summary>One insert for the group; a nonce twice in one group is fresh once.</summary>
    private async Task WriteAsync(List<Waiting> group, long nowMs)
    {
        try
        {
            var first = new Dictionary<string, Waiting>(StringComparer.Ordinal);
            foreach (Waiting spend in group)
            {
                if (!first.TryAdd(Convert.ToBase64String(spend.Nonce), spend))
                {
                    spend.Fresh = false;
                }
            }

            await using NpgsqlConnection connection = await schema.OpenAsync().ConfigureAwait(false);
            if (Interlocked.Increment(ref _groups) % 1_000 == 0)
            {
                await using NpgsqlCommand sweep = PostgresCommands.Command(connection, null, $"DELETE FROM {schema.Table("request_nonces")} WHERE expires_ms <= $1", nowMs);
                await sweep.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            Waiting[] distinct = [.. first.Values];
            string values = string.Join(", ", distinct.Select((_, i) => $"(${(2 * i) + 1}, ${(2 * i) + 2})"));
            await using NpgsqlCommand insert = PostgresCommands.Command(
                connection,
                null,
                $"INSERT INTO {schema.Table("request_nonces")} (nonce, expires_ms) VALUES {values} ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
                [.. distinct.SelectMany(s => new object[] { s.Nonce, s.ExpiresMs })]);
            var inserted = new HashSet<string>(StringComparer.Ordinal);
            await using (NpgsqlDataReader reader = await insert.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    inserted.Add(Convert.ToBase64String(reader.GetFieldValue<byte[]>(0)));
                }
            }

            foreach (Waiting spend in distinct)
            {
                spend.Fresh = inserted.Contains(Convert.ToBase64String(spend.Nonce));
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            foreach (Waiting spend in group)
            {
                spend.Failure = e;
                spend.Fresh = null;
            }
        }
    }

    private sealed class Waiting(byte[] nonce, long expiresMs)
    {
        public byte[] Nonce { get; } = nonce;

        public long ExpiresMs { get; } = expiresMs;

        public bool? Fresh { get; set; }

        public Exception? Failure { get; set; }

        /// <summary>Set once: false when the answer is in, true when this caller is to write the next group.</summary>
        public TaskCompletionSource<bool> Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
