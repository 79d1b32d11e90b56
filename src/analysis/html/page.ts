/**
 * analysis/html/page: the HTML report's inline stylesheet and script (no network, no library).
 *
 * Owns: how the page looks and behaves: each section's filters (outcome, code, host — a
 * substring of the sender's or the target's name — and port) hide the rows that do not match
 * and show how many do; clicking a flow's row (or Enter on it) opens or closes its details.
 */
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}
header{padding:16px 24px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
h1{font-size:20px;margin:0}.sub{margin:2px 0 0;color:#57606a}
section.scenario{padding:16px 24px;border-bottom:1px solid #d0d7de}
h2{font-size:17px;margin:0 0 4px}.meta{color:#57606a;margin:0 0 12px}
figure.diagram{margin:0 0 16px;overflow:auto;border:1px solid #d0d7de;border-radius:6px;padding:8px}
figure.diagram svg{max-width:100%;height:auto}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:0 0 8px}
form.filters label{color:#57606a}form.filters select,form.filters input{font:inherit;margin-left:4px}
.count{color:#57606a}.note{color:#9a6700}
table.flows{border-collapse:collapse;width:100%}
table.flows th,table.flows td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
table.flows thead th{position:sticky;top:0;background:#f6f8fa}
tr.flow{cursor:pointer}tr.flow:hover,tr.flow.open{background:#f3f8ff}
tr.details td{background:#fbfdff}
table.kv th{color:#57606a;font-weight:600;white-space:nowrap;padding-right:12px}
table.kv td,table.kv th{border:0;padding:2px 8px}
.outcome{padding:1px 6px;border-radius:10px;font-weight:600}
.good{background:#dafbe1;color:#116329}.refused{background:#fff1e5;color:#953800}.bad{background:#ffebe9;color:#a40e26}
.pass{color:#116329;font-weight:600}.fail{color:#cf222e;font-weight:700}
ol.trace{margin:0;padding-left:20px;font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:#424a53}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
`;

export const PAGE_SCRIPT = `
(function(){
  function apply(section){
    var f=section.querySelector('form.filters');
    var outcome=f.outcome.value, code=f.code.value, host=f.host.value.trim().toLowerCase(), port=f.port.value.trim();
    var rows=section.querySelectorAll('tr.flow'), shown=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i], d=r.dataset;
      var ok=(!outcome||d.outcome===outcome)&&(!code||d.code===code)&&(!host||d.hosts.toLowerCase().indexOf(host)>=0)&&(!port||d.port===port);
      r.hidden=!ok;
      if(!ok){r.nextElementSibling.hidden=true;r.classList.remove('open');}
      if(ok)shown++;
    }
    section.querySelector('.count').textContent=shown+' of '+rows.length+' flows';
  }
  function toggle(r){
    var d=r.nextElementSibling, open=d.hidden;
    d.hidden=!open;r.classList.toggle('open',open);
  }
  var sections=document.querySelectorAll('section.scenario');
  for(var s=0;s<sections.length;s++)(function(section){
    var f=section.querySelector('form.filters');
    f.addEventListener('input',function(){apply(section);});
    f.addEventListener('change',function(){apply(section);});
    section.querySelector('table.flows').addEventListener('click',function(e){
      var r=e.target.closest('tr.flow'); if(r)toggle(r);
    });
    section.querySelector('table.flows').addEventListener('keydown',function(e){
      var r=e.target.closest('tr.flow'); if(r&&(e.key==='Enter'||e.key===' ')){e.preventDefault();toggle(r);}
    });
    apply(section);
  })(sections[s]);
})();
`;
