using OpenCkv.Directory.Storage;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Storage.Tests;

/// <summary>The relay store contract on the PostgreSQL backend, each test in a fresh schema.</summary>
public sealed class PostgresRelayStoreTests : RelayStoreContract
{
    private readonly PostgresTestDatabase _database = new();

    /// <inheritdoc />
    protected override IRelayStore OpenStorage() => PostgresStores.OpenRelays(_database.ConnectionString, _database.Schema);

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _database.Dispose();
    }
}
