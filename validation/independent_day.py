# Independent DES of the contract's single-skill semantics (time-varying Poisson arrivals,
# lognormal handle, gamma patience, uniform ACW, shift changes: idle leave first, busy leave
# after finishing, rises take waiting contacts at once; drain after horizon).
import heapq, math, random, sys, statistics as st
vol=[30,45,60,70,75,70,60,50,55,65,70,60,50,40,30,20]
staff=[6,9,13,15,14,12,10,8,12,13,14,12,9,8,5,3]
I=1800.0; H=8*3600.0; T=20.0
def lognorm(r,m,s):
    s2=math.log(1+(s/m)**2); return r.lognormvariate(math.log(m)-s2/2, math.sqrt(s2))
def gamma(r,m,s):
    k=(m/s)**2; return r.gammavariate(k, s*s/m)
def rep(seed):
    r=random.Random(seed)
    ev=[]; seq=0
    def push(t,kind,data=None):
        nonlocal seq; seq+=1; heapq.heappush(ev,(t,seq,kind,data))
    # arrivals
    t=0.0
    for k,v in enumerate(vol):
        lam=v/I; t=k*I
        while True:
            t+=r.expovariate(lam)
            if t>=(k+1)*I: break
            push(t,'arr')
    for k in range(len(staff)): push(k*I,'bound',k)
    push(H,'hend')
    queue=[]  # list of [arrival, patience_deadline, alive]
    idle=0; busy=0; present=0; leaving=0
    off=0; sl=0; ans=0; ab=0; waits=0.0
    per={k:[0,0,0] for k in range(16)}  # offered, within, abandoned
    busy_area=0.0; staffed_area=0.0; last=0.0; rec=True
    def integ(now):
        nonlocal busy_area, staffed_area, last
        if rec:
            busy_area+=busy*(now-last); staffed_area+=present*(now-last)
        last=now
    def start(now,c):
        nonlocal busy, ans, sl, waits
        integ(now); busy+=1
        w=now-c[0]; ans+=1; waits+=w
        k=min(int(c[0]//I),15)
        if w<=T: sl+=1; per[k][1]+=1
        push(now+lognorm(r,300,180)+r.uniform(10,50),'free')
    def agent_free(now):
        nonlocal idle, leaving, present
        if leaving>0:
            integ(now); leaving-=1; present-=1; return
        while queue:
            c=queue.pop(0)
            if c[2]:
                c[2]=False; start(now,c); return
        idle+=1
    while ev:
        now,_,kind,data=heapq.heappop(ev)
        if kind=='arr':
            off+=1; k=min(int(now//I),15); per[k][0]+=1
            pat=gamma(r,180,120)
            if idle>0:
                idle-=1; start(now,[now,0,False])
            else:
                c=[now,now+pat,True]; queue.append(c); push(now+pat,'ab',c)
        elif kind=='ab':
            c=data
            if c[2]:
                c[2]=False; queue.remove(c); ab+=1; waits+=now-c[0]
                per[min(int(c[0]//I),15)][2]+=1
        elif kind=='free':
            integ(now); busy-=1; agent_free(now)
        elif kind=='bound':
            integ(now); target=staff[data]; cur=present-leaving
            if target>cur:
                add=target-cur; stay=min(add,leaving); leaving-=stay; add-=stay
                for _ in range(add):
                    present+=1; agent_free(now)
            elif target<cur:
                rem=cur-target
                while rem>0 and idle>0:
                    idle-=1; present-=1; rem-=1
                leaving+=rem
        elif kind=='hend':
            integ(now); rec=False
    return off, ans, ab, sl/off, ab/off, waits/(ans+ab), busy_area/staffed_area, per
res=[rep(s) for s in range(int(sys.argv[1]) if len(sys.argv)>1 else 200)]
def ci(xs):
    m=st.mean(xs); h=1.97*st.stdev(xs)/math.sqrt(len(xs)); return f"{m:.4f} ± {h:.4f}"
names=['offered','answered','abandoned','service_level','abandon_rate','mean_wait_s','occupancy']
for i,n in enumerate(names): print(n, ci([x[i] for x in res]))
for k in [3,7,8,15]:
    print('interval',k,'SL',ci([x[7][k][1]/x[7][k][0] for x in res if x[7][k][0]>0]),'ab',ci([x[7][k][2]/x[7][k][0] for x in res if x[7][k][0]>0]))
