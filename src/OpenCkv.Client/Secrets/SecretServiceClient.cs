using Tmds.DBus.Protocol;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// The few calls of the freedesktop Secret Service API (org.freedesktop.Secret.*) that a secret store needs, on
/// one connection to the session bus with one encrypted session (<see cref="SecretTransport"/>). Every call that
/// would need a person fails instead of waiting: a returned prompt is dismissed, never shown.
/// </summary>
internal sealed class SecretServiceClient
{
    private const string Destination = "org.freedesktop.secrets";
    private const string ServicePath = "/org/freedesktop/secrets";
    private const string ServiceInterface = "org.freedesktop.Secret.Service";
    private const string CollectionInterface = "org.freedesktop.Secret.Collection";
    private const string ItemInterface = "org.freedesktop.Secret.Item";
    private const string SessionInterface = "org.freedesktop.Secret.Session";
    private const string PromptInterface = "org.freedesktop.Secret.Prompt";
    private const string ItemLabel = "org.freedesktop.Secret.Item.Label";
    private const string ItemAttributes = "org.freedesktop.Secret.Item.Attributes";
    private const string ContentType = "application/octet-stream";

    /// <summary>The object path that stands for "none": no prompt needed, no such alias.</summary>
    private const string None = "/";

    private readonly DBusConnection _connection;
    private readonly SecretTransport _transport;
    private readonly ObjectPath _session;

    private SecretServiceClient(DBusConnection connection, SecretTransport transport, ObjectPath session)
    {
        _connection = connection;
        _transport = transport;
        _session = session;
    }

    private delegate void BodyWriter<in TState>(ref MessageWriter writer, TState state);

    /// <summary>
    /// Opens a session on a connected bus: <c>Service.OpenSession</c> with this side's public key, the key agreed
    /// from the service's answer (spec, "Sessions" and "Transfer of Secrets").
    /// </summary>
    public static async Task<SecretServiceClient> OpenAsync(DBusConnection connection, SecretTransport transport)
    {
        MessageBuffer message = Build(connection, ServicePath, ServiceInterface, "OpenSession", "sv", transport.PublicKey, static (ref MessageWriter w, byte[] key) =>
        {
            w.WriteString(SecretTransport.Algorithm);
            w.WriteVariant(VariantValue.Array(key));
        });
        (byte[] serviceKey, ObjectPath session) = await connection.CallMethodAsync(message, static (m, _) =>
        {
            Reader reader = m.GetBodyReader();
            byte[] key = reader.ReadVariantValue().GetArray<byte>();
            return (key, reader.ReadObjectPath());
        }).ConfigureAwait(false);
        transport.Agree(serviceKey);
        return new SecretServiceClient(connection, transport, session);
    }

    /// <summary>
    /// Whether a Secret Service answers on the bus: <c>org.freedesktop.DBus.Peer.Ping</c> to its well-known name,
    /// which also starts a service the bus can activate.
    /// </summary>
    public static Task PingAsync(DBusConnection connection) =>
        connection.CallMethodAsync(Build(connection, ServicePath, "org.freedesktop.DBus.Peer", "Ping", null, 0, static (ref MessageWriter _, int _) => { }));

    /// <summary>
    /// The default collection (spec, "Aliases": <c>Service.ReadAlias("default")</c>), unlocked. Where the service
    /// has none, or it stays locked without a person, this fails rather than create one or show a prompt.
    /// </summary>
    public async Task<ObjectPath> DefaultCollectionAsync()
    {
        MessageBuffer message = Build(_connection, ServicePath, ServiceInterface, "ReadAlias", "s", "default", static (ref MessageWriter w, string alias) => w.WriteString(alias));
        ObjectPath collection = await _connection.CallMethodAsync(message, static (m, _) => m.GetBodyReader().ReadObjectPath()).ConfigureAwait(false);
        if (collection.ToString() == None)
        {
            throw new SecretStoreUnavailableException(
                "The Secret Service has no default collection (keyring); create one in the key store's own window (Passwords and Keys, KeePassXC), then try again.");
        }

        await UnlockAsync(collection).ConfigureAwait(false);
        return collection;
    }

    /// <summary>The items of <paramref name="collection"/> whose attributes include all of <paramref name="attributes"/> (<c>Collection.SearchItems</c>).</summary>
    public Task<ObjectPath[]> SearchAsync(ObjectPath collection, IReadOnlyDictionary<string, string> attributes)
    {
        MessageBuffer message = Build(_connection, collection, CollectionInterface, "SearchItems", "a{ss}", attributes, WriteAttributes);
        return _connection.CallMethodAsync(message, static (m, _) => m.GetBodyReader().ReadArrayOfObjectPath());
    }

    /// <summary>
    /// Stores <paramref name="value"/> in an item with these attributes (<c>Collection.CreateItem</c> with replace
    /// true: an item with the same attributes is replaced, so each name has one item).
    /// </summary>
    public async Task CreateItemAsync(ObjectPath collection, string label, IReadOnlyDictionary<string, string> attributes, ReadOnlyMemory<byte> value)
    {
        (byte[] iv, byte[] ciphertext) = _transport.Encrypt(value.Span);
        var state = (Label: label, Attributes: attributes, Session: _session, Iv: iv, Ciphertext: ciphertext);
        MessageBuffer message = Build(_connection, collection, CollectionInterface, "CreateItem", "a{sv}(oayays)b", state, static (ref MessageWriter w, (string Label, IReadOnlyDictionary<string, string> Attributes, ObjectPath Session, byte[] Iv, byte[] Ciphertext) s) =>
        {
            w.WriteDictionary(new Dictionary<string, VariantValue>(StringComparer.Ordinal)
            {
                [ItemLabel] = VariantValue.String(s.Label),
                [ItemAttributes] = new Dict<string, string>(s.Attributes.ToDictionary(StringComparer.Ordinal)).AsVariantValue(),
            });
            WriteSecret(ref w, s.Session, s.Iv, s.Ciphertext);
            w.WriteBool(true);
        });
        (ObjectPath _, ObjectPath prompt) = await _connection.CallMethodAsync(message, static (m, _) =>
        {
            Reader reader = m.GetBodyReader();
            return (reader.ReadObjectPath(), reader.ReadObjectPath());
        }).ConfigureAwait(false);
        await RefusePromptAsync(prompt, "storing a secret").ConfigureAwait(false);
    }

    /// <summary>The secret of <paramref name="item"/>, decrypted (<c>Item.GetSecret</c> in this session).</summary>
    public async Task<byte[]> GetSecretAsync(ObjectPath item)
    {
        MessageBuffer message = Build(_connection, item, ItemInterface, "GetSecret", "o", _session, static (ref MessageWriter w, ObjectPath session) => w.WriteObjectPath(session));
        (byte[] iv, byte[] ciphertext) = await _connection.CallMethodAsync(message, static (m, _) =>
        {
            Reader reader = m.GetBodyReader();
            reader.AlignStruct();
            reader.ReadObjectPath();
            byte[] parameters = reader.ReadArrayOfByte();
            byte[] value = reader.ReadArrayOfByte();
            reader.ReadString();
            return (parameters, value);
        }).ConfigureAwait(false);
        return _transport.Decrypt(iv, ciphertext);
    }

    /// <summary>Deletes <paramref name="item"/> (<c>Item.Delete</c>).</summary>
    public async Task DeleteAsync(ObjectPath item)
    {
        MessageBuffer message = Build(_connection, item, ItemInterface, "Delete", null, 0, static (ref MessageWriter _, int _) => { });
        ObjectPath prompt = await _connection.CallMethodAsync(message, static (m, _) => m.GetBodyReader().ReadObjectPath()).ConfigureAwait(false);
        await RefusePromptAsync(prompt, "deleting a secret").ConfigureAwait(false);
    }

    /// <summary>Ends the session (<c>Session.Close</c>); the service also ends it when the connection closes.</summary>
    public Task CloseAsync() =>
        _connection.CallMethodAsync(Build(_connection, _session, SessionInterface, "Close", null, 0, static (ref MessageWriter _, int _) => { }));

    /// <summary>
    /// <c>Service.Unlock</c> on one object (spec, "Locking and Unlocking"): an unlocked object comes back at once;
    /// one that needs a password comes back as a prompt, which is dismissed and reported as locked.
    /// </summary>
    private async Task UnlockAsync(ObjectPath target)
    {
        MessageBuffer message = Build(_connection, ServicePath, ServiceInterface, "Unlock", "ao", target, static (ref MessageWriter w, ObjectPath t) => w.WriteArray(new[] { t }));
        (ObjectPath[] unlocked, ObjectPath prompt) = await _connection.CallMethodAsync(message, static (m, _) =>
        {
            Reader reader = m.GetBodyReader();
            return (reader.ReadArrayOfObjectPath(), reader.ReadObjectPath());
        }).ConfigureAwait(false);
        if (prompt.ToString() != None || !unlocked.Any(u => u.ToString() == target.ToString()))
        {
            await DismissAsync(prompt).ConfigureAwait(false);
            throw new SecretStoreLockedException(
                $"The Secret Service's default collection ({target}) is locked, and unlocking it needs its password: unlock the keyring (log in, or open it in the key store's window), then try again.");
        }
    }

    /// <summary>
    /// Spec, "Prompts and Prompting": a call that needs a person returns a prompt object and waits for its
    /// <c>Prompt</c> method. A library cannot wait for a dialog it did not open, so the prompt is dismissed and the
    /// call fails.
    /// </summary>
    private async Task RefusePromptAsync(ObjectPath prompt, string what)
    {
        if (prompt.ToString() == None)
        {
            return;
        }

        await DismissAsync(prompt).ConfigureAwait(false);
        throw new SecretStoreUnavailableException($"The Secret Service asks a person to confirm {what}; the SDK does not wait for prompts. Allow it in the key store and try again.");
    }

    private async Task DismissAsync(ObjectPath prompt)
    {
        if (prompt.ToString() == None)
        {
            return;
        }

        try
        {
            await _connection.CallMethodAsync(Build(_connection, prompt, PromptInterface, "Dismiss", null, 0, static (ref MessageWriter _, int _) => { })).ConfigureAwait(false);
        }
        catch (DBusExceptionBase)
        {
            // The prompt is gone already, or the service does not dismiss: either way nothing waits on it.
        }
    }

    private static void WriteAttributes(ref MessageWriter writer, IReadOnlyDictionary<string, string> attributes)
    {
        ArrayStart start = writer.WriteDictionaryStart();
        foreach ((string name, string value) in attributes)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteString(value);
        }

        writer.WriteDictionaryEnd(start);
    }

    /// <summary>The spec's Secret struct <c>(oayays)</c>: session, parameters (the IV), value, content type.</summary>
    private static void WriteSecret(ref MessageWriter writer, ObjectPath session, byte[] iv, byte[] ciphertext)
    {
        writer.WriteStructureStart();
        writer.WriteObjectPath(session);
        writer.WriteArray(iv);
        writer.WriteArray(ciphertext);
        writer.WriteString(ContentType);
    }

    private static MessageBuffer Build<TState>(DBusConnection connection, string path, string @interface, string member, string? signature, TState state, BodyWriter<TState> body)
    {
        MessageWriter writer = connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination: Destination, path: path, @interface: @interface, member: member, signature: signature);
            body(ref writer, state);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
