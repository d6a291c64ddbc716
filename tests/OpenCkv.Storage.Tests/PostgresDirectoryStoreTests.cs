using OpenCkv.Directory.Storage;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Storage.Tests;

/// <summary>The directory store contract on the PostgreSQL backend, each test in a fresh schema.</summary>
public sealed class PostgresDirectoryStoreTests : DirectoryStoreContract
{
    private readonly PostgresTestDatabase _database = new();

    /// <inheritdoc />
    protected override IDirectoryStore OpenStorage() => PostgresStores.OpenDirectory(_database.ConnectionString, _database.Schema);

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Each_nonce_is_fresh_exactly_once_across_concurrent_spenders_and_two_stores()
    {
        using PostgresDirectoryStore first = PostgresStores.OpenDirectory(_database.ConnectionString, _database.Schema);
        using PostgresDirectoryStore second = PostgresStores.OpenDirectory(_database.ConnectionString, _database.Schema);
        byte[][] nonces = [.. Enumerable.Range(0, 400).Select(i => BitConverter.GetBytes(i).Concat(new byte[12]).ToArray())];
        int fresh = 0;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // 32 spenders, each spending every nonce in its own order, half through each store: 12,800 attempts.
        Task[] spenders = [.. Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
        {
            PostgresDirectoryStore store = w % 2 == 0 ? first : second;
            foreach (byte[] nonce in nonces.OrderBy(_ => Random.Shared.Next()))
            {
                if (await store.SpendAsync(nonce, now + 600_000, now))
                {
                    Interlocked.Increment(ref fresh);
                }
            }
        }))];
        await Task.WhenAll(spenders);

        Assert.Equal(nonces.Length, fresh);
        Assert.False(await first.SpendAsync(nonces[0], now + 600_000, now));
        Assert.True(await second.SpendAsync(Enumerable.Repeat((byte)0xff, 16).ToArray(), now + 600_000, now));
    }
}
