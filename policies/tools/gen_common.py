import json, os
def corp(records, sector="民营企业", related=True, kind="法人", sid="91500237MA5UXXXXX1", name="某食品有限公司"):
    s={"id":sid,"name":name,"kind":kind,"sector":sector,"records":records}
    if related: s["related"]=[{"role":"法定代表人","id":"500237198001011234","name":"张某"}]
    return s
def person(records, sector=None, sid="500237198001011234", name="李某"):
    s={"id":sid,"name":name,"kind":"自然人","records":records}
    if sector: s["sector"]=sector
    return s
def pen(id="r1", date="2022-08-01", severity="严重", domain="食品药品", flags=None, type="行政处罚", **kw):
    r={"id":id,"type":type,"date":date}
    if domain: r["domain"]=domain
    if severity: r["severity"]=severity
    if flags: r["flags"]=flags
    r.update(kw); return r
def objection(of="r1", filed="2024-04-20", resolved=None, upheld=None, id="o1"):
    r={"id":id,"type":"异议","of":of,"filed":filed}
    if resolved: r["resolved"]=resolved
    if upheld is not None: r["upheld"]=upheld
    return r
def repair(of="r1", date="2023-03-01", conditions=("履行义务",), id="x1"):
    return {"id":id,"type":"信用修复","of":of,"date":date,"conditions":list(conditions)}
def write(dirpath, cases):
    os.makedirs(dirpath, exist_ok=True)
    for f in os.listdir(dirpath):
        if f.endswith('.json'): os.remove(os.path.join(dirpath,f))
    for i,(slug,desc,req,exp) in enumerate(cases,1):
        with open(os.path.join(dirpath,f"{i:02d}_{slug}.json"),"w") as fh:
            json.dump({"description":desc,"request":req,"expect":exp},fh,ensure_ascii=False,indent=2); fh.write("\n")
    print(dirpath, len(cases))
