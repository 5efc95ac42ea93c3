// The one remote command kiln runs on a host: `node -e <bootstrap> <config>`.
// The bootstrap refuses an old node, loads the agent bundle from the host's
// cache by its hash, or first asks for it (`send-agent`), reads exactly its
// bytes from stdin, checks the hash and caches it. The command is a constant
// apart from a base64 config: nothing from a port's metadata is in it.
//
// The agent's directory (hosts file `dir=`, relative to the login user's
// home, or absolute) defaults to ~/.kiln, or to /var/tmp/kiln-agent-0 for
// root, whose home the build user (nobody) cannot enter. Before anything is
// cached or loaded there, the directory must be the login user's own, not a
// symlink, writable by no one else, and every directory above it must belong
// to root or the login user and be writable by no one else (sticky ones
// excepted, as /var/tmp): otherwise another user could plant an agent.

export interface BootConfig {
  /** The agent's directory, relative to the login user's home (or absolute); the default when not given. */
  readonly dir?: string;
  /** A subdirectory of that directory, for one of several agents of a host (Slurm allocations that share a node). */
  readonly sub?: string;
  /** sha256 of the agent bundle: its version and its name in the cache. */
  readonly hash: string;
  readonly size: number;
}

/** Oldest Node.js major the agent runs on. */
export const MIN_NODE_MAJOR = 20;

// Written for any node and any login shell: one line, no single quote (the
// shell's quoting) and no `!` (csh history expansion even inside quotes).
const BOOTSTRAP = [
  'var c=JSON.parse(Buffer.from(process.argv[1],"base64").toString());',
  'var fs=require("fs"),p=require("path"),os=require("os"),cr=require("crypto"),u=require("url");',
  'function say(o){process.stdout.write(JSON.stringify(o)+"\\n")}',
  'var v=process.versions.node;',
  `if(+v.split(".")[0]<${MIN_NODE_MAJOR}){say({t:"refuse",reason:"node "+v+" is too old: kiln needs Node.js ${MIN_NODE_MAJOR} or later"});process.exit(3)}`,
  'var uid=process.getuid(),root=c.dir?p.resolve(os.homedir(),c.dir):uid===0?"/var/tmp/kiln-agent-0":p.join(os.homedir(),".kiln");if(c.sub)root=p.join(root,c.sub);',
  'function unsafe(){var d=root,s;try{fs.mkdirSync(p.dirname(d),{recursive:true,mode:493})}catch(e){}',
  'try{fs.mkdirSync(d,{mode:457})}catch(e){if(e.code==="EEXIST"){}else{return "cannot make it: "+e.message}}',
  's=fs.lstatSync(d);if(s.isDirectory()===false)return "it is not a directory (a symlink?)";',
  'if(s.uid^uid)return "it belongs to uid "+s.uid+", not to the login user (uid "+uid+")";',
  'if(s.mode&18)return "others may write to it (mode "+(s.mode&4095).toString(8)+")";',
  'for(d=p.dirname(d);;d=p.dirname(d)){s=fs.statSync(d);if(s.uid&&(s.uid^uid))return d+" above it belongs to uid "+s.uid;',
  'if((s.mode&18)&&(s.mode&512)===0)return d+" above it may be written by others (mode "+(s.mode&4095).toString(8)+")";if(d===p.dirname(d))break}}',
  'var bad;try{bad=unsafe()}catch(e){bad=e.message}if(bad){say({t:"refuse",reason:"the agent directory "+root+" cannot be used: "+bad});process.exit(3)}',
  'var f=p.join(root,"agent",c.hash+".mjs");',
  'function go(){import(u.pathToFileURL(f).href).then(function(m){m.startAgent({root:root,agentFile:f})},',
  'function(e){say({t:"refuse",reason:"the agent does not load: "+e});process.exit(3)})}',
  'if(fs.existsSync(f)){go()}else{fs.mkdirSync(p.dirname(f),{recursive:true,mode:448});var got=[],n=0;',
  'var h=function(b){got.push(b);n+=b.length;if(n<c.size)return;process.stdin.off("data",h);process.stdin.pause();',
  'var all=Buffer.concat(got),body=all.subarray(0,c.size);if(all.length>c.size)process.stdin.unshift(all.subarray(c.size));',
  'if(cr.createHash("sha256").update(body).digest("hex")===c.hash){var t=f+".in"+process.pid;',
  'fs.writeFileSync(t,body,{mode:384});fs.renameSync(t,f);go()}else{say({t:"refuse",reason:"the agent arrived damaged"});process.exit(3)}};',
  'process.stdin.on("data",h);say({t:"send-agent"})}',
].join('');

if (/['!\n]/.test(BOOTSTRAP)) throw new Error('bootstrap: unsafe character for a remote shell');

/** The remote command line, for the build user's login shell. */
export function remoteCommand(boot: BootConfig): string {
  const config = Buffer.from(JSON.stringify(boot)).toString('base64');
  return `exec node -e '${BOOTSTRAP}' ${config}`;
}
