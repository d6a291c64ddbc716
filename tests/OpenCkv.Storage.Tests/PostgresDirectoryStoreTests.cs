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
}
