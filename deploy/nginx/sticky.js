// Conversation-sticky routing: the key nginx hashes to pick a Rasa replica, so every message of one
// conversation goes to the same replica (the atomic Redis lock store is the first line of defence;
// this keeps the lock uncontended and the order natural). Loaded by deploy/nginx/brujula.conf (njs).
//
// WhatsApp (Twilio form): From · Telegram (JSON): message.chat.id or callback_query.from.id ·
// REST: sender · web chat: the X-Chat-Token header · anything else (desk, pages): the client address.

function formField(body, name) {
    var match = body.match(new RegExp('(?:^|&)' + name + '=([^&]*)'));
    if (!match) {
        return '';
    }
    try {
        return decodeURIComponent(match[1].replace(/\+/g, ' '));
    } catch (e) {
        return match[1];
    }
}

function key(r) {
    var token = r.headersIn['X-Chat-Token'];
    if (token) {
        return 'webchat:' + token;
    }
    var type = (r.headersIn['Content-Type'] || '').toLowerCase();
    var body = '';
    try {
        body = r.requestText || '';  // in memory: client_body_buffer_size covers the 256 KB body limit
    } catch (e) {
        body = '';
    }
    if (body) {
        if (type.indexOf('application/x-www-form-urlencoded') === 0) {
            var from = formField(body, 'From');
            if (from) {
                return 'whatsapp:' + from;
            }
        } else if (type.indexOf('json') !== -1) {
            try {
                var data = JSON.parse(body);
                if (data && typeof data.sender === 'string') {
                    return 'rest:' + data.sender;
                }
                var message = data && (data.message || data.edited_message);
                if (message && message.chat && message.chat.id !== undefined) {
                    return 'telegram:' + message.chat.id;
                }
                if (data && data.callback_query && data.callback_query.from) {
                    return 'telegram:' + data.callback_query.from.id;
                }
            } catch (e) {
                // not JSON (or nested too deep): the replica answers 400; any replica will do
            }
        }
    }
    return 'address:' + r.remoteAddress;
}

export default {key};
