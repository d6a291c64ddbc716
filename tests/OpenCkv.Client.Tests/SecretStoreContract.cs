using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>What every <see cref="ISecretStore"/> must do, whatever keeps the secrets.</summary>
internal static class SecretStoreContract
{
    /// <summary>
    /// Put, read, replace and delete, names compared exactly, an empty secret kept as empty, deleting a missing name
    /// harmless; and a store opened anew on the same place sees the same secrets.
    /// </summary>
    public static void PutReadReplaceDeleteAndReopen(Func<ISecretStore> open)
    {
        ISecretStore store = open();
        Assert.Null(store.Read("signing"));

        store.Put("signing", [1, 2, 3]);
        store.Put("request", [4, 5]);
        store.Put("signing", [6]);
        store.Put("empty", []);

        Assert.Equal([6], store.Read("signing"));
        Assert.Equal([4, 5], store.Read("request"));
        Assert.Empty(Assert.IsType<byte[]>(store.Read("empty")));
        Assert.Null(store.Read("Signing"));

        store.Delete("signing");
        store.Delete("never-there");
        Assert.Null(store.Read("signing"));

        ISecretStore reopened = open();
        Assert.Null(reopened.Read("signing"));
        Assert.Equal([4, 5], reopened.Read("request"));
    }
}
