using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Storage.Tests;

/// <summary>The log store contract on the SQLite backend: one file in a fresh folder per test.</summary>
public sealed class SqliteLogStoreTests : LogStoreContract
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-sqlite-").FullName;

    /// <inheritdoc />
    protected override OpenedLog OpenStorage(int levelsPerPage)
    {
        var database = new SqliteLogDatabase(Path.Combine(_folder, "log.db"));
        return new OpenedLog(new SqliteLogStore(database, Suite.TreeHashes, levelsPerPage), new SqlitePrefixPageTable(database, cachedPages: 100), database);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }
}
