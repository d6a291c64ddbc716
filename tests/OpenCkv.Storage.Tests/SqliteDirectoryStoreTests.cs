using OpenCkv.Directory.Storage;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Storage.Tests;

/// <summary>The directory store contract on the SQLite backend: one file in a fresh folder per test.</summary>
public sealed class SqliteDirectoryStoreTests : DirectoryStoreContract
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-sqlite-").FullName;

    /// <inheritdoc />
    protected override IDirectoryStore OpenStorage() => new SqliteDirectoryStore(Path.Combine(_folder, "directory.db"));

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }
}
