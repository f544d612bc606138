// The VS Code client: starts `xince lsp` (stdio) for .xince files. Colouring without the server comes from the
// TextMate grammar; everything else (diagnostics, hover, completion, …) from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('xince');
  const command = config.get('server.path') || 'xince';
  const args = ['lsp', ...(config.get('server.extraArgs') || [])];
  const serverOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'xince' }],
    // Chinese unless VS Code runs in English (the server also reads the locale from `initialize`).
    initializationOptions: { lang: vscode.env.language.toLowerCase().startsWith('zh') ? 'zh' : 'en' },
  };
  client = new LanguageClient('xince', '信策 xince', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('xince.restartServer', () => client && client.restart()),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
