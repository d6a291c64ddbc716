using OpenCkv.Directory.Storage;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Storage.Tests;

/// <summary>The relay store contract on the SQLite backend: one file in a fresh folder per test.</summary>
public sealed class SqliteRelayStoreTests : RelayStoreContract
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-sqlite-").FullName;

    /// <inheritdoc />
    protected override IRelayStore OpenStorage() => new SqliteRelayStore(Path.Combine(_folder, "relay.db"));

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }
}
